//! Vehicle classes that prices may depend on, their stored form, and the class a visitor's text
//! names ("Golf", "SUV", "Elektro").

use std::collections::BTreeMap;

use async_graphql::{Enum, SimpleObject};

use super::text::{has_any, words};
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

/// Models and words that tell the vehicle class, checked in this order (an "e-Golf" is electric).
const VEHICLE_WORDS: [(VehicleClass, &str); 6] = [
    (
        VehicleClass::ElektroHybrid,
        "elektro*|hybrid*|e auto*|eauto*|e golf|egolf|e up|tesla|id 3|id3|id 4|id4|id 5|id5|\
         id buzz|zoe|ioniq*|enyaq|leaf|model 3|model y|electric|ev|evs|plug in|phev|bev|gte",
    ),
    (
        VehicleClass::Transporter,
        "transporter|sprinter|transit|crafter|bus|kleinbus|bulli|vito|viano|ducato|boxer|\
         jumper|vivaro|trafic|movano|t4|t5|t6|t7|kastenwagen|lieferwagen|van",
    ),
    (
        VehicleClass::Suv,
        "suv*|tiguan|touareg|t roc|troc|t cross|x1|x3|x5|q3|q5|q7|glc|gle|sportage|kuga|\
         tucson|qashqai|karoq|kodiaq|ateca|duster|rav4|cx5|cx 5|peugeot 3008|peugeot 5008|\
         mokka|juke|gelaendewagen",
    ),
    (
        VehicleClass::Mittelklasse,
        "passat|a4|a6|3er|5er|c klasse|e klasse|octavia|superb|insignia|mondeo|vectra|avensis|\
         arteon|mazda 6|mazda6|peugeot 508|mittelklasse*",
    ),
    (
        VehicleClass::Kompaktklasse,
        "golf|astra|focus|a3|1er|a klasse|leon|megane|corolla|auris|civic|i30|ceed|scala|\
         jetta|mazda 3|mazda3|peugeot 308|kompakt*",
    ),
    (
        VehicleClass::Kleinwagen,
        "polo|corsa|fiesta|vw up|mein up|meinen up|einen up|ein up|my up|clio|fabia|ibiza|\
         yaris|aygo|micra|i10|i20|sandero|twingo|c1|c3|peugeot 208|picanto|swift|mini|fortwo|\
         lupo|ford ka|a1|kleinwagen*",
    ),
];

/// The vehicle class a text names, through a model ("Golf") or a word ("SUV", "Elektro").
pub fn vehicle_class_in(text: &str) -> Option<VehicleClass> {
    let words = words(text);
    VEHICLE_WORDS
        .iter()
        .find(|(_, patterns)| has_any(&words, patterns))
        .map(|(class, _)| *class)
}

pub fn is_vehicle_word(word: &str) -> bool {
    VEHICLE_WORDS.iter().any(|(_, patterns)| {
        patterns.split('|').any(|p| match p.strip_suffix('*') {
            Some(prefix) => !prefix.contains(' ') && word.starts_with(prefix),
            None => p == word,
        })
    })
}
