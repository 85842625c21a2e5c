//! The vehicle a visitor writes about: make and model (and through them the vehicle class the
//! catalog prices by), the year, the key numbers of the registration (HSN/TSN), and whether it is
//! an electric car, a hybrid, a trailer, a motorcycle or a camper — services for those are only
//! offered to their owners.

use async_graphql::SimpleObject;

use crate::catalog::VehicleClass;
use crate::catalog::text::{canon, has_any, is, matches_words, words};

/// A kind of vehicle with services of its own (an ordinary car has none: `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VehicleKind {
    Electric,
    Hybrid,
    Trailer,
    Motorcycle,
    Camper,
}

impl VehicleKind {
    /// Whether services for `self` suit a vehicle of kind `vehicle`: the high-voltage services
    /// of electric cars suit hybrids too.
    pub fn suits(self, vehicle: Option<VehicleKind>) -> bool {
        match (self, vehicle) {
            (_, None) => false,
            (Self::Electric | Self::Hybrid, Some(Self::Electric | Self::Hybrid)) => true,
            (kind, Some(vehicle)) => kind == vehicle,
        }
    }
}

/// Words that say which kind of vehicle is meant, in German, English, Turkish and Polish (folded
/// like the visitor's words: "römork" → "romork").
const KIND_WORDS: [(VehicleKind, &str); 5] = [
    (
        VehicleKind::Hybrid,
        "hybrid*|phev|plug in|plugin|vollhybrid|mildhybrid|hibrit*|hybryd*",
    ),
    (
        VehicleKind::Electric,
        "elektro|elektroauto*|elektrofahrzeug*|elektrowagen|e auto*|eauto*|stromer|electric|\
         ev|evs|bev|elektrikli|elektryk*|elektryczn*|hochvolt*",
    ),
    (
        VehicleKind::Trailer,
        "anhaenger|anhaengers|haenger|haengers|pkw anhaenger|trailer|wohnwagen*|caravan|\
         romork*|przyczep*",
    ),
    (
        VehicleKind::Motorcycle,
        "motorrad*|motorcycle*|motorbike*|moped*|motorroller|roller|motosiklet*|motocykl*|\
         skuter*|scooter*|e scooter|escooter|harley*|ducati|kawasaki|ktm|vespa|yamaha|cbr|\
         bmw gs|mt 07|mt 09",
    ),
    (
        VehicleKind::Camper,
        "wohnmobil*|camper*|reisemobil*|motorhome*|campervan*|karavan*|kamper*",
    ),
];

/// The kind of vehicle `words` name, if any.
pub fn kind_in(words: &[String]) -> Option<VehicleKind> {
    KIND_WORDS
        .iter()
        .find(|(_, patterns)| has_any(words, patterns))
        .map(|(kind, _)| *kind)
}

/// Whether `word` only says which vehicle is meant (a make, a model, a kind, a class).
pub fn is_vehicle_word(word: &str) -> bool {
    let single = |patterns: &str| {
        patterns.split('|').any(|p| match p.strip_suffix('*') {
            Some(prefix) => !prefix.contains(' ') && word.starts_with(&*canon(prefix)),
            None => is(word, p),
        })
    };
    // "Seat" and "Mini" are words of their own too ("heated seats", "Mini-Delle").
    let ambiguous = matches!(word, "seat" | "mini");
    // "Teslę", "Sprinterın", "Transicie": a make or model with a Polish or Turkish ending.
    let single_or_inflected =
        |patterns: &str| single(patterns) || patterns.split('|').any(|p| inflected(word, p));
    KIND_WORDS.iter().any(|(_, p)| single(p))
        || CLASS_WORDS.iter().any(|(_, p)| single(p))
        || (!ambiguous && MAKES.iter().any(|(p, _)| single_or_inflected(p)))
        || MODELS.iter().any(|(p, _, _, _)| single_or_inflected(p))
}

/// Words for a class as such ("SUV", "Kleinwagen", "Transporter").
const CLASS_WORDS: [(VehicleClass, &str); 5] = [
    (
        VehicleClass::Suv,
        "suv*|gelaendewagen|jeep|pickup|crossover",
    ),
    (
        VehicleClass::Transporter,
        "transporter|kleinbus|bus|bulli|kastenwagen|lieferwagen|van|vans|kleintransporter|\
         minibus|panelvan|kamyonet|dostawcz*|dostawczak|bus*",
    ),
    (VehicleClass::Mittelklasse, "mittelklasse*"),
    (VehicleClass::Kompaktklasse, "kompakt*|kompaktwagen"),
    (
        VehicleClass::Kleinwagen,
        "kleinwagen*|kleinstwagen|stadtauto|small car|city car",
    ),
];

/// Makes, with the name to show.
const MAKES: &[(&str, &str)] = &[
    ("volkswagen|vw", "Volkswagen"),
    ("audi", "Audi"),
    ("bmw", "BMW"),
    ("mercedes|mercedes benz|benz|daimler", "Mercedes-Benz"),
    ("opel", "Opel"),
    ("ford", "Ford"),
    ("skoda", "Škoda"),
    ("seat", "Seat"),
    ("cupra", "Cupra"),
    ("renault", "Renault"),
    ("dacia", "Dacia"),
    ("peugeot", "Peugeot"),
    ("citroen", "Citroën"),
    ("fiat", "Fiat"),
    ("toyota", "Toyota"),
    ("hyundai", "Hyundai"),
    ("kia", "Kia"),
    ("mazda", "Mazda"),
    ("nissan", "Nissan"),
    ("honda", "Honda"),
    ("volvo", "Volvo"),
    ("tesla", "Tesla"),
    (
        "smart fortwo|smart forfour|mein smart|meinen smart",
        "smart",
    ),
    ("suzuki", "Suzuki"),
    ("mitsubishi", "Mitsubishi"),
    ("porsche", "Porsche"),
    ("jeep", "Jeep"),
    ("land rover|landrover", "Land Rover"),
    ("mini", "MINI"),
    ("alfa romeo|alfa", "Alfa Romeo"),
    ("jaguar", "Jaguar"),
    ("lexus", "Lexus"),
    ("subaru", "Subaru"),
    ("byd", "BYD"),
    ("polestar", "Polestar"),
    ("iveco", "Iveco"),
    ("chevrolet", "Chevrolet"),
    ("saab", "Saab"),
];

use VehicleClass::{
    ElektroHybrid as Eh, Kleinwagen as Klein, Kompaktklasse as Kompakt, Mittelklasse as Mittel,
    Suv, Transporter as Van,
};

/// Models: pattern, make, name to show, class. Checked in this order, so that an "e-Golf" is
/// electric before it is a Golf and a "Peugeot 3008" an SUV before it is a 308.
const MODELS: &[(&str, &str, &str, VehicleClass)] = &[
    ("e golf|egolf", "Volkswagen", "e-Golf", Eh),
    ("golf gte|gte|passat gte", "Volkswagen", "GTE", Eh),
    ("e up|eup", "Volkswagen", "e-up!", Eh),
    ("id 3|id3", "Volkswagen", "ID.3", Eh),
    ("id 4|id4", "Volkswagen", "ID.4", Eh),
    ("id 5|id5", "Volkswagen", "ID.5", Eh),
    ("id 7|id7", "Volkswagen", "ID.7", Eh),
    ("id buzz", "Volkswagen", "ID. Buzz", Eh),
    ("e tron|etron", "Audi", "e-tron", Eh),
    ("model 3|model3", "Tesla", "Model 3", Eh),
    ("model y|modely", "Tesla", "Model Y", Eh),
    ("model s", "Tesla", "Model S", Eh),
    ("model x", "Tesla", "Model X", Eh),
    ("zoe", "Renault", "Zoe", Eh),
    ("nissan leaf", "Nissan", "Leaf", Eh),
    ("ioniq*", "Hyundai", "Ioniq", Eh),
    ("kona elektro|kona electric", "Hyundai", "Kona Elektro", Eh),
    ("enyaq", "Škoda", "Enyaq", Eh),
    ("cupra born", "Cupra", "Born", Eh),
    ("ev6", "Kia", "EV6", Eh),
    ("niro", "Kia", "Niro", Eh),
    ("prius", "Toyota", "Prius", Eh),
    ("i3", "BMW", "i3", Eh),
    ("i4", "BMW", "i4", Eh),
    ("ix|ix1|ix3", "BMW", "iX", Eh),
    ("eqa|eqb|eqc|eqe|eqs", "Mercedes-Benz", "", Eh),
    ("taycan", "Porsche", "Taycan", Eh),
    ("mach e", "Ford", "Mustang Mach-E", Eh),
    ("dacia spring", "Dacia", "Spring", Eh),
    ("mg4", "MG", "MG4", Eh),
    ("peugeot 3008", "Peugeot", "3008", Suv),
    ("peugeot 5008", "Peugeot", "5008", Suv),
    ("peugeot 2008", "Peugeot", "2008", Suv),
    ("peugeot 508", "Peugeot", "508", Mittel),
    ("peugeot 308", "Peugeot", "308", Kompakt),
    ("peugeot 208", "Peugeot", "208", Klein),
    ("peugeot 108", "Peugeot", "108", Klein),
    ("fiat 500", "Fiat", "500", Klein),
    ("tiguan", "Volkswagen", "Tiguan", Suv),
    ("touareg", "Volkswagen", "Touareg", Suv),
    ("t roc|troc", "Volkswagen", "T-Roc", Suv),
    ("t cross|tcross", "Volkswagen", "T-Cross", Suv),
    ("taigo", "Volkswagen", "Taigo", Suv),
    ("x1|x2|x3|x4|x5|x6|x7", "BMW", "", Suv),
    ("q2|q3|q4|q5|q7|q8", "Audi", "", Suv),
    ("gla|glb|glc|gle|gls", "Mercedes-Benz", "", Suv),
    ("sportage|sorento|stonic", "Kia", "", Suv),
    ("kuga|puma|ecosport|ranger", "Ford", "", Suv),
    ("tucson|kona|santa fe", "Hyundai", "", Suv),
    ("qashqai|juke|x trail|xtrail|navara", "Nissan", "", Suv),
    ("karoq|kodiaq|kamiq|yeti", "Škoda", "", Suv),
    ("ateca|arona|tarraco", "Seat", "", Suv),
    ("formentor", "Cupra", "Formentor", Suv),
    ("duster", "Dacia", "Duster", Suv),
    ("rav4|rav 4|c hr|chr|land cruiser|hilux", "Toyota", "", Suv),
    ("cx3|cx 3|cx5|cx 5|cx30|cx 30|cx60|cx 60", "Mazda", "", Suv),
    ("mokka|grandland|crossland", "Opel", "", Suv),
    ("captur|kadjar|arkana|austral", "Renault", "", Suv),
    ("xc40|xc60|xc90", "Volvo", "", Suv),
    ("cr v|crv|hr v|hrv", "Honda", "", Suv),
    ("vitara|jimny|sx4", "Suzuki", "", Suv),
    ("outlander|asx", "Mitsubishi", "", Suv),
    ("cayenne|macan", "Porsche", "", Suv),
    ("renegade|jeep compass|wrangler|cherokee", "Jeep", "", Suv),
    (
        "range rover|evoque|discovery|defender",
        "Land Rover",
        "SUV",
        Suv,
    ),
    ("sprinter", "Mercedes-Benz", "Sprinter", Van),
    ("vito|viano|citan", "Mercedes-Benz", "", Van),
    ("crafter", "Volkswagen", "Crafter", Van),
    ("caddy", "Volkswagen", "Caddy", Van),
    ("t4|t5|t6|t7|multivan|bulli", "Volkswagen", "", Van),
    ("transit|tourneo", "Ford", "", Van),
    ("ducato|doblo", "Fiat", "", Van),
    (
        "peugeot boxer|peugeot partner|peugeot expert",
        "Peugeot",
        "",
        Van,
    ),
    ("citroen jumper|jumpy|berlingo", "Citroën", "", Van),
    ("vivaro|movano|opel combo", "Opel", "", Van),
    ("trafic|kangoo|renault master", "Renault", "", Van),
    ("proace", "Toyota", "Proace", Van),
    ("iveco daily", "Iveco", "Daily", Van),
    ("passat", "Volkswagen", "Passat", Mittel),
    ("arteon", "Volkswagen", "Arteon", Mittel),
    ("sharan", "Volkswagen", "Sharan", Mittel),
    ("a4|a5|a6|a7|a8", "Audi", "", Mittel),
    (
        "3er|4er|5er|6er|7er|3 series|4 series|5 series|7 series|seria 3|seria 5|serii 3|\
         serii 5|3 serisi|4 serisi|5 serisi",
        "BMW",
        "",
        Mittel,
    ),
    (
        "c klasse|e klasse|s klasse|c class|e class|s class|klasa c|klasa e|c serisi|\
         e serisi|cls|c200|c220|e200|e220",
        "Mercedes-Benz",
        "Klasse",
        Mittel,
    ),
    ("octavia|superb", "Škoda", "", Mittel),
    ("insignia|vectra", "Opel", "", Mittel),
    ("mondeo|galaxy|s max|smax", "Ford", "", Mittel),
    ("avensis|camry", "Toyota", "", Mittel),
    ("mazda 6|mazda6", "Mazda", "6", Mittel),
    ("laguna|talisman|espace", "Renault", "", Mittel),
    ("i40", "Hyundai", "i40", Mittel),
    ("v60|v70|v90|s60|s90", "Volvo", "", Mittel),
    ("alhambra", "Seat", "Alhambra", Mittel),
    ("panamera", "Porsche", "Panamera", Mittel),
    ("c5", "Citroën", "C5", Mittel),
    ("golf", "Volkswagen", "Golf", Kompakt),
    (
        "jetta|touran|beetle|kaefer|scirocco",
        "Volkswagen",
        "",
        Kompakt,
    ),
    ("a3", "Audi", "A3", Kompakt),
    (
        "1er|2er|1 series|2 series|seria 1|1 serisi",
        "BMW",
        "",
        Kompakt,
    ),
    (
        "a klasse|b klasse|a class|b class|klasa a|a serisi|cla",
        "Mercedes-Benz",
        "",
        Kompakt,
    ),
    ("astra|zafira", "Opel", "", Kompakt),
    ("focus|c max|cmax", "Ford", "", Kompakt),
    ("leon", "Seat", "Leon", Kompakt),
    ("scala|rapid", "Škoda", "", Kompakt),
    ("megane|scenic", "Renault", "", Kompakt),
    ("corolla|auris", "Toyota", "", Kompakt),
    ("civic", "Honda", "Civic", Kompakt),
    ("i30", "Hyundai", "i30", Kompakt),
    ("ceed|xceed", "Kia", "", Kompakt),
    ("mazda 3|mazda3", "Mazda", "3", Kompakt),
    ("tipo", "Fiat", "Tipo", Kompakt),
    ("c4", "Citroën", "C4", Kompakt),
    ("v40", "Volvo", "V40", Kompakt),
    ("jogger", "Dacia", "Jogger", Kompakt),
    ("countryman|clubman", "MINI", "", Kompakt),
    ("polo|lupo|vw fox", "Volkswagen", "", Klein),
    (
        "vw up|mein up|meinen up|einen up|ein up|my up",
        "Volkswagen",
        "up!",
        Klein,
    ),
    ("a1", "Audi", "A1", Klein),
    ("corsa|opel adam|meriva|agila|opel karl", "Opel", "", Klein),
    ("fiesta|ford ka|ka", "Ford", "", Klein),
    ("fabia|citigo", "Škoda", "", Klein),
    ("ibiza|mii", "Seat", "", Klein),
    ("clio|twingo", "Renault", "", Klein),
    ("sandero|logan", "Dacia", "", Klein),
    ("yaris|aygo", "Toyota", "", Klein),
    ("micra|nissan note", "Nissan", "", Klein),
    ("i10|i20", "Hyundai", "", Klein),
    ("picanto|rio", "Kia", "", Klein),
    ("c1|c3", "Citroën", "", Klein),
    ("panda|punto", "Fiat", "", Klein),
    ("mazda 2|mazda2|mx5|mx 5", "Mazda", "", Klein),
    ("jazz", "Honda", "Jazz", Klein),
    ("swift|ignis", "Suzuki", "", Klein),
    ("space star", "Mitsubishi", "Space Star", Klein),
    ("fortwo|forfour", "smart", "", Klein),
];

/// What a conversation knows about the visitor's vehicle.
#[derive(SimpleObject, Debug, Clone, Default, PartialEq, Eq)]
#[graphql(name = "ConversationVehicle")]
pub struct Vehicle {
    pub make: Option<String>,
    pub model: Option<String>,
    pub year: Option<i32>,
    /// The class the catalog prices by, when the model tells it.
    pub vehicle_class: Option<VehicleClass>,
    /// Manufacturer key number from the registration certificate (field 2.1).
    pub hsn: Option<String>,
    /// Type key number from the registration certificate (field 2.2).
    pub tsn: Option<String>,
    #[graphql(skip)]
    pub kind: Option<VehicleKind>,
}

/// Texts already read ([`Vehicle::in_text`]), by a keyed hash of the text: a conversation's
/// vehicle is read from its last messages at every message, and each is read once this way.
struct Read {
    keys: std::hash::RandomState,
    vehicles: std::sync::Mutex<rustc_hash::FxHashMap<u64, Option<Vehicle>>>,
}

/// Most texts [`Read`] keeps; it starts over when full.
const READ_TEXTS: usize = 4096;

static READ: std::sync::LazyLock<Read> = std::sync::LazyLock::new(|| Read {
    keys: std::hash::RandomState::new(),
    vehicles: std::sync::Mutex::default(),
});

impl Vehicle {
    /// What `text` says about a vehicle; `None` when it names none.
    pub fn in_text(text: &str) -> Option<Self> {
        use std::hash::BuildHasher;
        let key = READ.keys.hash_one(text);
        let vehicles = || {
            READ.vehicles
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        if let Some(known) = vehicles().get(&key) {
            return known.clone();
        }
        let vehicle = Self::read(text);
        let mut known = vehicles();
        if known.len() >= READ_TEXTS {
            known.clear();
        }
        known.insert(key, vehicle.clone());
        vehicle
    }

    fn read(text: &str) -> Option<Self> {
        let words = words(text);
        let mut vehicle = Self {
            kind: kind_in(&words),
            ..Self::default()
        };
        for (pattern, make, name, class) in MODELS {
            if let Some(model) = found(&words, pattern) {
                vehicle.make = Some((*make).to_owned());
                vehicle.model = Some(model_name(name, &model, &words));
                vehicle.vehicle_class = Some(*class);
                break;
            }
        }
        if vehicle.model.is_none()
            && let Some(number) = words.iter().find(|w| is_bmw_type(w))
        {
            vehicle.make = Some("BMW".to_owned());
            vehicle.model = Some(number.clone());
            vehicle.vehicle_class = Some(if number.starts_with(['1', '2']) {
                Kompakt
            } else {
                Mittel
            });
        }
        if let Some((_, make)) = MAKES.iter().find(|(p, _)| found(&words, p).is_some()) {
            // "Mercedes Sprinter": the make named beats the one the model suggests.
            if vehicle.make.as_deref() != Some(make) {
                let model_of_other_make = vehicle.make.is_some();
                vehicle.make = Some((*make).to_owned());
                if model_of_other_make && !matches!(vehicle.vehicle_class, Some(Van)) {
                    vehicle.model = None;
                    vehicle.vehicle_class = None;
                }
            }
        }
        // Makes that build only electric cars.
        if matches!(vehicle.make.as_deref(), Some("Tesla" | "BYD" | "Polestar")) {
            vehicle.vehicle_class = Some(Eh);
        }
        if vehicle.vehicle_class.is_none() {
            vehicle.vehicle_class = CLASS_WORDS
                .iter()
                .find(|(_, p)| has_any(&words, p))
                .map(|(class, _)| *class);
        }
        if matches!(
            vehicle.kind,
            Some(VehicleKind::Electric | VehicleKind::Hybrid)
        ) {
            vehicle.vehicle_class = Some(Eh);
        } else if vehicle.vehicle_class == Some(Eh) {
            vehicle.kind = Some(
                if matches!(vehicle.model.as_deref(), Some("Prius" | "GTE")) {
                    VehicleKind::Hybrid
                } else {
                    VehicleKind::Electric
                },
            );
        }
        (vehicle.hsn, vehicle.tsn) = key_numbers(text);
        if vehicle.make.is_none() {
            vehicle.make = vehicle
                .hsn
                .as_deref()
                .and_then(make_of_hsn)
                .map(str::to_owned);
        }
        let names_one = vehicle.make.is_some()
            || vehicle.vehicle_class.is_some()
            || vehicle.kind.is_some()
            || vehicle.hsn.is_some();
        vehicle.year = year_in(&words, names_one);
        (names_one || vehicle.year.is_some()).then_some(vehicle)
    }

    /// This vehicle with what a later message says: a newly named make or model replaces the
    /// old one with everything it brought; details of the same vehicle are added.
    pub fn updated(self, newer: Self) -> Self {
        let same_vehicle = newer.make.is_none() || newer.make == self.make;
        if !same_vehicle || (newer.model.is_some() && newer.model != self.model) {
            let mut replaced = newer;
            if replaced.year.is_none() && same_vehicle {
                replaced.year = self.year;
            }
            return replaced;
        }
        Self {
            make: newer.make.or(self.make),
            model: newer.model.or(self.model),
            year: newer.year.or(self.year),
            vehicle_class: newer.vehicle_class.or(self.vehicle_class),
            hsn: newer.hsn.or(self.hsn),
            tsn: newer.tsn.or(self.tsn),
            kind: newer.kind.or(self.kind),
        }
    }

    /// Make and model as one line for the request form ("Volkswagen Golf 7"), with the key
    /// numbers when no model is known.
    pub fn model_line(&self) -> Option<String> {
        match (&self.model, &self.hsn, &self.tsn) {
            (Some(model), _, _) => Some(model.clone()),
            (None, Some(hsn), Some(tsn)) => Some(format!("HSN {hsn} / TSN {tsn}")),
            (None, Some(hsn), None) => Some(format!("HSN {hsn}")),
            _ => None,
        }
    }
}

/// The words of `words` that match `pattern` (`|`-separated alternatives), joined.
fn found(words: &[String], patterns: &str) -> Option<String> {
    patterns.split('|').find_map(|pattern| {
        let parts = pattern.split(' ').count();
        words
            .windows(parts)
            .find(|window| {
                matches_words(window, pattern) || (parts == 1 && inflected(&window[0], pattern))
            })
            .map(|window| window.join(" "))
    })
}

/// A model name with a Polish or Turkish ending: "golfie", "octavii", "transicie",
/// "sprinterin", "tiguana".
fn inflected(word: &str, model: &str) -> bool {
    if model.len() < 4 || model.ends_with('*') || !model.bytes().all(|b| b.is_ascii_lowercase()) {
        return false;
    }
    let model = canon(model);
    let model: &str = &model;
    let common = word
        .bytes()
        .zip(model.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    // The stem kept whole, or all but an ending vowel ("fabia" → "fabii", "tesla" → "teslę"),
    // or all but a last consonant that softens ("transit" → "transicie").
    let stem = model.len() - usize::from(model.ends_with(['a', 'e', 'o']));
    let longer = word.len() > model.len() || (word.len() == model.len() && stem < model.len());
    let softened = model.len() >= 6 && word.len() > model.len() && common + 1 == stem;
    // An ending is a few vowels and soft letters after a stem of four letters at least, not
    // another word ("Polster" is no Polo, "końcowy" no Kona).
    let ending = &word[common.min(word.len())..];
    let ending_ok =
        common >= 4 && ending.len() <= 3 && ending.bytes().all(|b| b"aeiouyncmdtwz".contains(&b));
    (common >= stem || softened) && longer && ending_ok && word.len() <= model.len() + 3
}

/// The model's name: the table's, or as the visitor wrote it where one line of the table holds
/// several models ("X3", "C-Klasse", "3er"); with a generation right after it ("Golf 7").
fn model_name(name: &str, matched: &str, words: &[String]) -> String {
    let mut model = if name.is_empty() {
        as_written(matched)
    } else {
        name.to_owned()
    };
    let last = matched.split(' ').next_back().unwrap_or(matched);
    let next = words
        .iter()
        .position(|w| w == last)
        .and_then(|i| words.get(i + 1));
    if let Some(next) = next {
        let generation = (next.len() == 1 && next.chars().all(|c| c.is_ascii_digit()))
            || matches!(next.as_str(), "ii" | "iii" | "iv" | "vi" | "vii" | "viii")
            || (next.len() == 2
                && next.starts_with('b')
                && next[1..].chars().all(|c| c.is_ascii_digit()));
        if generation {
            model.push(' ');
            model.push_str(&next.to_uppercase());
        }
    }
    model
}

/// Folded words back in the way model names are written: "x3" → "X3", "c klasse" →
/// "C-Klasse", "3er" → "3er", "tiguan" → "Tiguan".
fn as_written(matched: &str) -> String {
    let parts: Vec<String> = matched
        .split(' ')
        .map(|word| {
            let has_digit = word.chars().any(|c| c.is_ascii_digit());
            if has_digit && word.ends_with("er") {
                word.to_owned()
            } else if has_digit || word.len() <= 3 {
                word.to_uppercase()
            } else {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|first| first.to_uppercase().chain(chars).collect())
                    .unwrap_or_default()
            }
        })
        .collect();
    parts.join(if matched.ends_with("klasse") {
        "-"
    } else {
        " "
    })
}

/// A BMW type number: "320d", "530d", "118i".
fn is_bmw_type(word: &str) -> bool {
    let bytes = word.as_bytes();
    bytes.len() == 4
        && (b'1'..=b'8').contains(&bytes[0])
        && bytes[1].is_ascii_digit()
        && bytes[2].is_ascii_digit()
        && matches!(bytes[3], b'd' | b'i' | b'e')
}

/// A year of manufacture: a four-digit year after "Baujahr", "BJ", "EZ" (and the words for it in
/// English, Turkish and Polish) or anywhere in a message that names a vehicle.
fn year_in(words: &[String], names_a_vehicle: bool) -> Option<i32> {
    let this_year = chrono::Datelike::year(&chrono::Utc::now());
    let plausible = |w: &str| {
        if w.len() != 4 {
            return None;
        }
        w.parse::<i32>()
            .ok()
            .filter(|y| (1950..=this_year + 1).contains(y))
    };
    let cue = "baujahr|bj|ez|erstzulassung|zulassung|jahrgang|year|built|model year|yil|yili|\
               model yili|rok|rocznik|produkcji";
    for (index, word) in words.iter().enumerate() {
        let Some(year) = plausible(word) else {
            continue;
        };
        let after_cue = index > 0 && has_any(&words[index - 1..index], cue);
        if names_a_vehicle || after_cue {
            return Some(year);
        }
    }
    None
}

/// HSN and TSN from "HSN 0603 TSN BFW", "0603/BFW" or "2.1: 0603, 2.2: BFW".
fn key_numbers(text: &str) -> (Option<String>, Option<String>) {
    let is_hsn = |t: &str| t.len() == 4 && t.chars().all(|c| c.is_ascii_digit());
    let is_tsn = |t: &str| {
        t.len() == 3
            && t.chars().all(|c| c.is_ascii_alphanumeric())
            && t.chars().any(|c| c.is_ascii_alphabetic())
    };
    let tokens: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '/' && c != '.')
        .filter(|t| !t.is_empty())
        .collect();
    let lower: Vec<String> = tokens.iter().map(|t| t.to_ascii_lowercase()).collect();
    let mut hsn = None;
    let mut tsn = None;
    for (i, token) in lower.iter().enumerate() {
        let next = lower.get(i + 1).map(String::as_str).unwrap_or("");
        match token.as_str() {
            "hsn" | "2.1" if is_hsn(next) => hsn = Some(next.to_owned()),
            "tsn" | "2.2" if is_tsn(next) => tsn = Some(next.to_uppercase()),
            _ => {
                if let Some((h, t)) = token.split_once('/')
                    && is_hsn(h)
                    && is_tsn(t)
                {
                    hsn = Some(h.to_owned());
                    tsn = Some(t.to_uppercase());
                }
            }
        }
    }
    (hsn, tsn)
}

/// The make behind the best-known manufacturer key numbers (HSN).
fn make_of_hsn(hsn: &str) -> Option<&'static str> {
    Some(match hsn {
        "0005" => "BMW",
        "0035" => "Opel",
        "0588" => "Audi",
        "0603" => "Volkswagen",
        "0710" | "1313" => "Mercedes-Benz",
        "0928" => "Ford",
        "3001" => "Renault",
        "3003" => "Peugeot",
        "4136" => "Fiat",
        "5013" => "Toyota",
        "7593" => "Seat",
        "8004" => "Škoda",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflected_names_are_vehicles_and_other_words_are_not() {
        let class = |text: &str| Vehicle::in_text(text).and_then(|v| v.vehicle_class);
        assert_eq!(class("sprzęgło się ślizga w Transicie"), Some(Van));
        assert_eq!(class("wymiana klocków w sprinterze"), Some(Van));
        assert_eq!(class("Polster reinigen"), None);
        assert_eq!(class("tłumik końcowy"), None);
        assert!(is_vehicle_word("tesle"));
        assert!(!is_vehicle_word("koncowy"));
    }

    fn class(text: &str) -> Option<VehicleClass> {
        Vehicle::in_text(text).and_then(|v| v.vehicle_class)
    }

    #[test]
    fn models_tell_the_class() {
        assert_eq!(class("Was kostet das beim Golf 7?"), Some(Kompakt));
        assert_eq!(class("für meinen e-Golf"), Some(Eh));
        assert_eq!(class("Peugeot 3008 Bj. 2019"), Some(Suv));
        assert_eq!(class("my Sprinter van"), Some(Van));
        assert_eq!(class("BMW 3er Touring"), Some(Mittel));
        assert_eq!(class("Polo"), Some(Klein));
        assert_eq!(class("und für einen SUV?"), Some(Suv));
        assert_eq!(class("Toyota Prius"), Some(Eh));
        assert_eq!(class("Was kostet ein Ölwechsel?"), None);
    }

    #[test]
    fn a_vehicle_keeps_its_details() {
        let golf = Vehicle::in_text("Ich fahre einen VW Golf 7, Baujahr 2016").expect("a golf");
        assert_eq!(golf.make.as_deref(), Some("Volkswagen"));
        assert_eq!(golf.model.as_deref(), Some("Golf 7"));
        assert_eq!(golf.year, Some(2016));
        let keys = Vehicle::in_text("HSN 0603 TSN bfw").expect("key numbers");
        assert_eq!(keys.make.as_deref(), Some("Volkswagen"));
        assert_eq!(
            (keys.hsn.as_deref(), keys.tsn.as_deref()),
            (Some("0603"), Some("BFW"))
        );
        assert_eq!(keys.model_line().as_deref(), Some("HSN 0603 / TSN BFW"));
        let slash = Vehicle::in_text("Schlüsselnummer 0588/AQT").expect("key numbers");
        assert_eq!(slash.make.as_deref(), Some("Audi"));
        let updated = golf
            .clone()
            .updated(Vehicle::in_text("EZ 2017").expect("a year"));
        assert_eq!(updated.model.as_deref(), Some("Golf 7"));
        assert_eq!(updated.year, Some(2017));
        let other = golf.updated(Vehicle::in_text("und mein Tiguan?").expect("a tiguan"));
        assert_eq!(other.model.as_deref(), Some("Tiguan"));
        assert_eq!(other.vehicle_class, Some(Suv));
        assert_eq!(
            other.year,
            Some(2016),
            "the same make, a year not said again"
        );
    }

    #[test]
    fn kinds_of_vehicles() {
        let kind = |t: &str| Vehicle::in_text(t).and_then(|v| v.kind);
        assert_eq!(kind("TÜV für meinen Anhänger"), Some(VehicleKind::Trailer));
        assert_eq!(kind("Tesla Model 3"), Some(VehicleKind::Electric));
        assert_eq!(kind("Yaris Hybrid"), Some(VehicleKind::Hybrid));
        assert_eq!(kind("motosikletim için"), Some(VehicleKind::Motorcycle));
        assert_eq!(kind("unser Wohnmobil"), Some(VehicleKind::Camper));
        assert_eq!(kind("Anhängerkupplung für den Golf"), None);
        assert!(VehicleKind::Electric.suits(Some(VehicleKind::Hybrid)));
        assert!(!VehicleKind::Trailer.suits(None));
    }
}
