//! Vehicle classes that prices may depend on and their stored form. The class a visitor's text
//! names ("Golf", "SUV", "Elektro") is read by the assistant's `Vehicle::in_text`.

use std::collections::BTreeMap;

use async_graphql::{Enum, SimpleObject};

use crate::money::PriceRange;

/// Vehicle classes that prices may depend on.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VehicleClass {
    Kleinwagen,
    Kompaktklasse,
    Mittelklasse,
    Suv,
    Transporter,
    ElektroHybrid,
}

impl VehicleClass {
    pub const ALL: [Self; 6] = [
        Self::Kleinwagen,
        Self::Kompaktklasse,
        Self::Mittelklasse,
        Self::Suv,
        Self::Transporter,
        Self::ElektroHybrid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kleinwagen => "KLEINWAGEN",
            Self::Kompaktklasse => "KOMPAKTKLASSE",
            Self::Mittelklasse => "MITTELKLASSE",
            Self::Suv => "SUV",
            Self::Transporter => "TRANSPORTER",
            Self::ElektroHybrid => "ELEKTRO_HYBRID",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// `{"KLEINWAGEN": [min, max], …}`, the stored form of vehicle-class prices.
pub fn vehicle_prices_json(prices: &BTreeMap<VehicleClass, (i32, i32)>) -> serde_json::Value {
    prices
        .iter()
        .map(|(class, (min, max))| (class.as_str().to_owned(), serde_json::json!([min, max])))
        .collect()
}

pub fn vehicle_prices_from_json(value: &serde_json::Value) -> Vec<VehiclePrice> {
    let Some(map) = value.as_object() else {
        return Vec::new();
    };
    VehicleClass::ALL
        .into_iter()
        .filter_map(|class| {
            let pair = map.get(class.as_str())?.as_array()?;
            let min = i32::try_from(pair.iter().next()?.as_i64()?).ok()?;
            let max = i32::try_from(pair.get(1)?.as_i64()?).ok()?;
            Some(VehiclePrice {
                vehicle_class: class,
                price: PriceRange::cents(min, max),
            })
        })
        .collect()
}

#[derive(SimpleObject, Debug, Clone)]
pub struct VehiclePrice {
    pub vehicle_class: VehicleClass,
    pub price: PriceRange,
}
