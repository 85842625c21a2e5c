//! Which services of the catalog a visitor means. Both assistants answer from the entries chosen
//! here, so this is where precision is won or lost:
//!
//! - a question's words meet the services' names, aliases and translations (word forms,
//!   compounds and typos allowed; everyday words, abbreviations and the other three languages
//!   through a glossary), weighted by how rare they are in this catalog, so that "Zahnriemen"
//!   decides and "wechseln" only breaks ties;
//! - a service is cited only when its name or an alias carries the question: a description
//!   that happens to share a word does not, and neither does a service that explains too little
//!   of what the visitor asked ("Umbau auf Wasserstoff" is not about bumpers);
//! - services for electric cars, hybrids, trailers, motorcycles and campers are cited only when
//!   the question or the conversation's vehicle is of that kind, and then preferred;
//! - variants are told apart by their qualifiers ("hinten", "mit Ölfilter", "ohne AU"): named
//!   ones win, unnamed ones lose a little, so a plain question gets the plain service;
//! - at most [`MAX_CITED`] services, all about what the best one is about (or, for a question
//!   about two services, the best for each).

// The index compares every question word with every catalog word: a fast hasher for its maps
// (keys are the catalog's own words, not chosen by visitors to collide).
use rustc_hash::FxHashMap as HashMap;

use super::CatalogEntry;
use super::vehicle::{VehicleKind, is_vehicle_word, kind_in};
use crate::catalog::text::{canon, has_any, is, words};

/// Most services one answer names.
pub const MAX_CITED: usize = 3;

/// The weight of a word no name or alias of the catalog knows.
const UNKNOWN_WEIGHT: f32 = 1.5;

/// The least part of a name or alias the question must meet for it to count.
const MIN_COVERAGE: f32 = 0.5;

/// A workshop's active services, prepared for matching; built once per catalog revision.
#[derive(Debug)]
pub struct CatalogIndex {
    entries: Vec<Indexed>,
    /// Every word of every name, alias, translation, category and description; services and
    /// questions refer to them by their number here.
    vocabulary: Vec<Word>,
    /// The number of each word of `vocabulary`.
    numbers: HashMap<String, u32>,
}

/// A word of the catalog.
#[derive(Debug)]
struct Word {
    text: String,
    /// Its [`letters`].
    letters: u32,
    /// What the word weighs in a name or alias: how rare it is among the services (an action
    /// weighs less).
    weight: f32,
    /// The vehicle kind the word names ("hybrid").
    kind: Option<VehicleKind>,
    /// The services having it in a name or alias, by their place in `entries`, ascending: a
    /// question is scored against these only.
    services: Vec<u32>,
}

/// How strongly one term of a question meets each word of the vocabulary.
struct Met {
    /// By word number; 0 where it does not.
    by_word: Vec<f32>,
    /// The numbers of the words it meets.
    words: Vec<u32>,
}

impl Met {
    fn of(&self, word: u32) -> f32 {
        self.by_word[word as usize]
    }

    fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

#[derive(Debug)]
struct Indexed {
    entry: CatalogEntry,
    /// The name first (without what it says in parentheses), then what the parentheses say,
    /// aliases and translations, each as its words (by number) with their weight in the phrase.
    phrases: Vec<Vec<(u32, f32)>>,
    /// Category and description words: they break ties, never decide.
    context: Vec<u32>,
    /// What tells this variant from its siblings: "hinten", "oelfilter", "au", "-au" (ohne AU).
    qualifiers: Vec<String>,
    kind: Option<VehicleKind>,
    /// Whether the name says the kind ("Inspektion Elektrofahrzeug"): then it is cited only
    /// for such vehicles; a kind only from the category ("Ladebuchse erneuern" in "Elektro &
    /// Hybrid") is a preference.
    kind_named: bool,
    /// What the service does, by its name ("prüfen", "nachrüsten", …).
    actions: Vec<Action>,
}

/// What is done to a service's object. A question that wants something done that a service
/// does not do ("Autogasanlage einbauen" against "Gasanlagenprüfung", "Gebrauchtwagen
/// ankaufen" against "Gebrauchtwagencheck") is not answered with that service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Inspect,
    Maintain,
    Clean,
    Replace,
    Repair,
    Install,
    Retrofit,
    Trade,
    Rent,
    Produce,
    Scrap,
    Tune,
    Upholster,
    Wrap,
}

impl Action {
    /// Whether a service that does `self` does what `wanted` asks: fitting something anew is
    /// installing it.
    fn satisfies(self, wanted: Action) -> bool {
        self == wanted
            || matches!(
                (self, wanted),
                (Self::Retrofit | Self::Replace, Self::Install) | (Self::Install, Self::Retrofit)
            )
    }

    /// Actions whose absence from a service's name means it is another service.
    fn is_strong(self) -> bool {
        matches!(
            self,
            Self::Install
                | Self::Retrofit
                | Self::Trade
                | Self::Rent
                | Self::Produce
                | Self::Scrap
                | Self::Tune
                | Self::Upholster
                | Self::Wrap
        )
    }
}

const ACTION_WORDS: [(Action, &str); 14] = [
    (
        Action::Inspect,
        "pruefen pruefung check checken test testen kontrolle kontrollieren untersuchung \
         gutachten messen messung diagnose auslesen abnahme lecksuche suche inspektion \
         inspect inspection kontrol muayene sprawdzenie badanie",
    ),
    (
        Action::Clean,
        "reinigen reinigung waschen waesche desinfizieren desinfektion clean cleaning wash \
         temizlik temizleme yikama czyszczenie mycie",
    ),
    (
        Action::Replace,
        "erneuern wechseln wechsel tauschen austauschen ersetzen replace replacement change \
         degisimi degistirme wymiana wymienic",
    ),
    (
        Action::Repair,
        "reparieren reparatur instandsetzen instandsetzung repair fix tamir onarim naprawa \
         naprawic",
    ),
    (
        Action::Maintain,
        "service wartung warten auffuellen nachfuellen pflege servis bakim serwis",
    ),
    (
        Action::Install,
        "einbauen einbau montieren installieren install fit takmak taktirmak montaj montaz \
         zamontowac zainstalowac",
    ),
    (
        Action::Retrofit,
        "nachruesten nachruestung retrofit nachgeruestet sonradan doposazenie",
    ),
    (
        Action::Trade,
        "kaufen ankaufen verkaufen kauft ankauf leasing buy sell satin satmak kupic sprzedac \
         skup",
    ),
    (
        Action::Rent,
        "mieten vermieten vermietet miete leihen mietwagen leihwagen ersatzwagen rent hire \
         rental kiralama kiralik wynajem wynajac wynajmujecie wypozyczyc",
    ),
    (Action::Produce, "praegen anfertigen drucken herstellen"),
    (
        Action::Scrap,
        "verschrotten verschrottung schrott scrap scrapping hurda hurdaya zezlomowac \
         zlomowac kasacja",
    ),
    (
        Action::Tune,
        "tuning chiptuning tunen remap remapping leistungssteigerung optimierung",
    ),
    (
        Action::Upholster,
        "beziehen bezug polstern naehen upholstery reupholster kilif kilifi dikmek \
         diktirmek obszycie obszyc tapicerka",
    ),
    (
        Action::Wrap,
        "folieren folierung wrap wrapping foliowanie oklejanie okleic kaplama",
    ),
];

/// The actions `words` name; German compounds by their last part ("gasanlagenpruefung").
fn actions_in(words: &[String], compounds: bool) -> Vec<Action> {
    let mut found = Vec::new();
    for (action, list) in ACTION_WORDS {
        let hit = words.iter().any(|w| {
            list.split_whitespace()
                .any(|a| is(w, a) || (compounds && a.len() >= 5 && w.ends_with(&*canon(a))))
        });
        if hit {
            found.push(action);
        }
    }
    found
}

/// What a question asks the catalog for.
#[derive(Debug, Clone, Default)]
pub struct Query {
    terms: Vec<Term>,
    /// What the question wants done.
    actions: Vec<Action>,
    /// The vehicle kind of the question or the conversation.
    pub kind: Option<VehicleKind>,
}

#[derive(Debug, Clone)]
struct Term {
    /// The visitor's word and the catalog words it stands for, with how sure each is.
    forms: Vec<(String, f32)>,
    /// A variant word ("hinten", "vorne", "filter"): it chooses among services, it does not
    /// name one.
    qualifier: bool,
    /// An action ("wechseln", "replace", "wymiana"): it weighs little.
    action: bool,
    /// `ohne X` / `bez X` / `without X`: the variant without X is meant.
    negated: bool,
    /// Where the word stands in the question.
    position: usize,
}

impl Query {
    fn strong_actions(&self) -> impl Iterator<Item = Action> + '_ {
        self.actions.iter().copied().filter(|a| a.is_strong())
    }
}

impl Query {
    /// The terms of `text`: words that may name a service, with their glossary forms.
    pub fn of(text: &str) -> Self {
        let words = words(text);
        let fitting = actions_in(&words, false)
            .iter()
            .any(|a| matches!(a, Action::Install | Action::Retrofit));
        let mut terms: Vec<Term> = Vec::new();
        let mut index = 0;
        while index < words.len() {
            if let Some((length, german)) = phrase_gloss(&words[index..]) {
                terms.push(Term {
                    forms: german
                        .split(',')
                        .map(|g| (canon(g).into_owned(), 0.95))
                        .collect(),
                    qualifier: false,
                    action: false,
                    negated: false,
                    position: index,
                });
                index += length;
                continue;
            }
            let word = &words[index];
            let negated = index > 0 && has_any(&words[index - 1..index], NEGATIONS);
            // "Fahrradträger auf die Anhängerkupplung montieren": what something is fitted on
            // or in is where it goes, not what is fitted.
            let placed = fitting
                && (1..=2).any(|back| {
                    index >= back
                        && has_any(&words[index - back..index - back + 1], PLACES)
                        && words[index - back + 1..index]
                            .iter()
                            .all(|w| is_stop_word(w))
                });
            let position = index;
            index += 1;
            // "Seat Ibiza", "Mini Cooper": the make, not a seat.
            let names_a_make = matches!(word.as_str(), "seat" | "mini" | "smart")
                && words.get(index).is_some_and(|next| is_vehicle_word(next));
            if !is_term(word) || names_a_make {
                continue;
            }
            // A word said twice ("wechseln, wuchten und einlagern … einlagern") counts once.
            if terms.iter().any(|t| t.forms[0].0 == *word) {
                continue;
            }
            let mut forms = vec![(word.clone(), 1.0)];
            for german in gloss(word) {
                if !forms.iter().any(|(f, _)| *f == german) {
                    forms.push((german, 0.95));
                }
            }
            let qualifier = placed
                || forms.iter().any(|(f, _)| is_qualifier_word(f))
                || kind_in(std::slice::from_ref(word)).is_some();
            let action = forms.iter().any(|(f, _)| is_action(f));
            terms.push(Term {
                forms,
                qualifier,
                action,
                negated,
                position,
            });
        }
        // Turkish "ön" (front) folds into English "on", which is a stop word.
        let turkish_front = text
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| {
                matches!(
                    w,
                    "ön" | "önde" | "öndeki" | "önler" | "öndekiler" | "ön taraf"
                )
            });
        if turkish_front {
            terms.push(Term {
                forms: vec![("vorne".to_owned(), 1.0)],
                qualifier: true,
                action: false,
                negated: false,
                position: usize::MAX,
            });
        }
        Self {
            kind: kind_in(&words),
            actions: actions_in(&words, false),
            terms,
        }
    }

    /// Whether the question has any words that may name or choose a service.
    pub fn has_terms(&self) -> bool {
        !self.terms.is_empty()
    }

    /// Whether the question names anything beyond variants and the vehicle: "und hinten?" and
    /// "und für einen SUV?" do not, they follow up on what was asked before.
    pub fn is_topical(&self) -> bool {
        self.terms.iter().any(|t| !t.qualifier && !t.action)
    }

    /// This question read as a follow-up of `earlier`: its variants and vehicle applied to the
    /// earlier question's service words.
    pub fn following(self, earlier: &Query) -> Self {
        let mut terms: Vec<Term> = earlier
            .terms
            .iter()
            .filter(|t| !t.qualifier || self.terms.is_empty())
            .cloned()
            .collect();
        terms.extend(self.terms);
        Self {
            terms,
            kind: self.kind.or(earlier.kind),
            actions: self.actions,
        }
    }
}

/// A service the question matched, with how well.
#[derive(Debug, Clone, Copy)]
struct Scored {
    index: usize,
    score: f32,
}

impl CatalogIndex {
    pub fn new(entries: Vec<CatalogEntry>) -> Self {
        let mut vocabulary: Vec<Word> = Vec::new();
        let mut numbers: HashMap<String, u32> = HashMap::default();
        // Per word, the services it occurs in anywhere (context included).
        let mut occurrences: Vec<u32> = Vec::new();
        let mut number = |word: String, vocabulary: &mut Vec<Word>| -> u32 {
            *numbers.entry(word).or_insert_with_key(|word| {
                vocabulary.push(Word {
                    kind: kind_in(std::slice::from_ref(word)),
                    letters: letters(word),
                    text: word.clone(),
                    weight: 0.0,
                    services: Vec::new(),
                });
                (vocabulary.len() - 1) as u32
            })
        };
        let mut indexed: Vec<Indexed> = Vec::with_capacity(entries.len());
        for (service, entry) in entries.into_iter().enumerate() {
            let (bare_name, explained) = split_parentheses(&entry.name);
            let mut texts = vec![weighted_phrase(&bare_name)];
            texts.extend(
                std::iter::once(explained.as_str())
                    .chain(entry.aliases.iter().map(String::as_str))
                    .map(weighted_phrase)
                    .filter(|p| !p.is_empty()),
            );
            let phrases: Vec<Vec<(u32, f32)>> = texts
                .into_iter()
                .map(|phrase| {
                    phrase
                        .into_iter()
                        .map(|(word, role)| (number(word, &mut vocabulary), role))
                        .collect()
                })
                .collect();
            let context: Vec<u32> =
                phrase_words(&format!("{} {}", entry.category, entry.description))
                    .into_iter()
                    .map(|word| number(word, &mut vocabulary))
                    .collect();
            let mut named: Vec<u32> = phrases.iter().flatten().map(|(w, _)| *w).collect();
            named.sort_unstable();
            named.dedup();
            for word in &named {
                vocabulary[*word as usize].services.push(service as u32);
            }
            named.extend(&context);
            named.sort_unstable();
            named.dedup();
            occurrences.resize(vocabulary.len(), 0);
            for word in named {
                occurrences[word as usize] += 1;
            }
            let name_words = words(&entry.name);
            let kind_named = kind_in(&name_words).is_some();
            let kind = kind_in(&name_words).or_else(|| kind_in(&words(&entry.category)));
            let qualifiers = qualifiers_of(&name_words);
            let actions = actions_in(&name_words, true);
            indexed.push(Indexed {
                entry,
                phrases,
                context,
                qualifiers,
                kind,
                kind_named,
                actions,
            });
        }
        let total = indexed.len() as f32;
        for (word, services) in vocabulary.iter_mut().zip(occurrences) {
            let rarity = (1.0 + total / services.max(1) as f32).ln();
            word.weight = if is_action(&word.text) {
                rarity * 0.3
            } else {
                rarity
            };
        }
        Self {
            entries: indexed,
            vocabulary,
            numbers,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> impl Iterator<Item = &CatalogEntry> {
        self.entries.iter().map(|i| &i.entry)
    }

    /// The services `query` means, best first, at most [`MAX_CITED`]; empty when the catalog
    /// has nothing that carries the question.
    pub fn select(&self, query: &Query) -> Vec<&CatalogEntry> {
        self.rank(query, None)
    }

    /// Whether the catalog knows any of the question's service words: "wie lange steht das
    /// Auto dann bei euch?" has words, but none that name a service.
    pub fn knows_topic(&self, query: &Query) -> bool {
        query
            .terms
            .iter()
            .filter(|t| !t.qualifier && !t.action)
            .any(|term| {
                self.vocabulary.iter().any(|word| {
                    term.forms
                        .iter()
                        .any(|(form, sure)| sure * strength(form, &word.text) >= 0.75)
                })
            })
    }

    /// Why [`Self::select`] chose what it chose: the terms with their weights and the best
    /// candidates with their scores (for the evaluation's report).
    pub fn explain(&self, query: &Query) -> String {
        let mut report = String::new();
        self.rank(query, Some(&mut report));
        report
    }

    fn rank(&self, query: &Query, report: Option<&mut String>) -> Vec<&CatalogEntry> {
        if query.terms.is_empty() || self.entries.is_empty() {
            return Vec::new();
        }
        let strengths = self.strengths(query);
        let total = self.entries.len() as f32;
        // How rare each term is among the services: the weight of what it says.
        let weights: Vec<f32> = strengths
            .iter()
            .zip(&query.terms)
            .map(|(by_word, term)| {
                // Counted by the services having the word itself (or a form of it), else by
                // those having it as part of a longer one.
                let having = |least: f32| {
                    let mut having = vec![false; self.entries.len()];
                    for word in by_word.words.iter().filter(|w| by_word.of(**w) >= least) {
                        for service in &self.vocabulary[*word as usize].services {
                            having[*service as usize] = true;
                        }
                    }
                    having.iter().filter(|h| **h).count() as f32
                };
                let services = match having(0.9) {
                    0.0 => having(0.6),
                    n => n,
                };
                // A word the catalog does not know at all is chatter as often as it is a
                // service the workshop lacks: it counts, but little.
                let rarity = if services == 0.0 {
                    UNKNOWN_WEIGHT
                } else {
                    (1.0 + total / services).ln()
                };
                let role = if term.action {
                    0.3
                } else if term.qualifier {
                    0.5
                } else {
                    1.0
                };
                rarity * role
            })
            .collect();
        let total_weight: f32 = weights.iter().sum();
        if total_weight <= 0.0 {
            return Vec::new();
        }

        // Per service: its score and how much of each term its name or an alias explains.
        let mut scored: Vec<(Scored, Vec<f32>)> = Vec::new();
        // Only a service with a name or alias word the question meets can carry it.
        let mut candidates: Vec<u32> = strengths
            .iter()
            .flat_map(|met| &met.words)
            .flat_map(|word| &self.vocabulary[*word as usize].services)
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        for index in candidates.into_iter().map(|index| index as usize) {
            let indexed = &self.entries[index];
            if let Some(kind) = indexed.kind
                && indexed.kind_named
                && !kind.suits(query.kind)
            {
                continue;
            }
            // A motorcycle (an e-scooter too) is not a car: only its own services suit it, not
            // those of cars or of electric cars.
            if query.kind == Some(VehicleKind::Motorcycle)
                && indexed.kind != Some(VehicleKind::Motorcycle)
            {
                continue;
            }
            // Installing may be what a service without a verb does ("Standheizung"); renting,
            // scrapping, tuning, upholstering … only a service that says so.
            // Cleaning, too, is what a service without a verb may do ("Fahrzeugaufbereitung"),
            // but not one that says it replaces or repairs ("Dieselpartikelfilter erneuern").
            let does_something_else = query
                .strong_actions()
                .chain(
                    query
                        .actions
                        .iter()
                        .copied()
                        .filter(|a| *a == Action::Clean),
                )
                .any(|wanted| {
                    let fitting =
                        matches!(wanted, Action::Install | Action::Retrofit | Action::Clean);
                    (!fitting || !indexed.actions.is_empty())
                        && !indexed.actions.iter().any(|a| a.satisfies(wanted))
                });
            if does_something_else {
                continue;
            }
            let mut best = 0.0_f32;
            let mut best_explained = vec![0.0_f32; query.terms.len()];
            let mut whole_phrase = false;
            let mut explained = vec![0.0_f32; query.terms.len()];
            for (number, phrase) in indexed.phrases.iter().enumerate() {
                let (score, per_term, coverage) =
                    self.phrase_score(phrase, &strengths, &weights, query);
                // A phrase the question meets only in a small part ("Diesel" in "Diesel
                // springt schlecht an") does not carry it.
                if coverage < MIN_COVERAGE {
                    continue;
                }
                let mut score = if number == 0 { score } else { score * 0.95 };
                if coverage >= 0.99 {
                    // The question names the service as a whole.
                    score *= 1.2;
                    whole_phrase |= phrase.len() >= 2;
                }
                if score > best {
                    best = score;
                    best_explained.clone_from(&per_term);
                }
                for (e, p) in explained.iter_mut().zip(per_term) {
                    *e = e.max(p);
                }
            }
            // At least one word of the question must be the service's own (the same word, a
            // form or a typo of it), not just a part of a longer one ("Panne" in
            // "Reifenpanne", "charger" in "turbocharger").
            let topical_hit = explained
                .iter()
                .zip(&query.terms)
                .any(|(e, t)| *e >= 0.75 && !t.action && !t.qualifier);
            if best <= 0.0 || !(topical_hit || whole_phrase) {
                continue;
            }
            let context: f32 = strengths
                .iter()
                .zip(&weights)
                .map(|(by_word, weight)| {
                    let hit = indexed
                        .context
                        .iter()
                        .map(|w| by_word.of(*w))
                        .fold(0.0_f32, f32::max);
                    weight * hit
                })
                .sum();
            // What its other names explain of the question adds to what its best one does
            // ("Getriebeöl" and "Schaltgetriebe Service" are both Getriebeservice).
            let others: f32 = explained
                .iter()
                .zip(&best_explained)
                .zip(&weights)
                .zip(&query.terms)
                .filter(|(_, t)| !t.action)
                .map(|(((all, own), w), _)| w * (all - own).max(0.0))
                .sum();
            let mut score = best + 0.5 * others + 0.1 * context;
            score *= self.variant_factor(indexed, query, &strengths);
            if let Some(kind) = indexed.kind.filter(|k| k.suits(query.kind)) {
                score *= if Some(kind) == query.kind || !indexed.kind_named {
                    1.5
                } else {
                    1.2
                };
            }
            scored.push((Scored { index, score }, explained));
        }
        scored.sort_by(|a, b| {
            b.0.score
                .total_cmp(&a.0.score)
                .then(a.0.index.cmp(&b.0.index))
        });
        if let Some(report) = report {
            use std::fmt::Write as _;
            for (term, weight) in query.terms.iter().zip(&weights) {
                let _ = write!(report, "{}={weight:.1} ", term.forms[0].0);
            }
            for (candidate, explained) in scored.iter().take(4) {
                let _ = write!(
                    report,
                    "| {} {:.2} {:?} ",
                    self.entries[candidate.index].entry.name,
                    candidate.score,
                    explained
                        .iter()
                        .map(|e| (e * 100.0).round() / 100.0)
                        .collect::<Vec<_>>()
                );
            }
        }
        let Some((top, top_explained)) = scored.first() else {
            return Vec::new();
        };
        let share = |explained: &[f32]| {
            explained
                .iter()
                .zip(&weights)
                .map(|(e, w)| e * w)
                .sum::<f32>()
                / total_weight
        };
        // The words the best service is about: the heaviest term it explains.
        let head = top_explained
            .iter()
            .zip(&weights)
            .enumerate()
            .filter(|(i, _)| !query.terms[*i].qualifier && !query.terms[*i].action)
            .max_by(|a, b| (a.1.0 * a.1.1).total_cmp(&(b.1.0 * b.1.1)))
            .map(|(i, _)| i);
        let mut chosen: Vec<(usize, &Vec<f32>)> = vec![(top.index, top_explained)];
        for (candidate, explained) in scored.iter().skip(1) {
            if chosen.len() == MAX_CITED {
                break;
            }
            let same_topic =
                head.is_some_and(|h| explained[h] >= 0.6) && candidate.score >= 0.7 * top.score;
            // A second service asked for in the same question ("Klimaservice und
            // Reifenwechsel"): it explains a topical term none of the chosen ones does.
            let another_service = explained.iter().enumerate().any(|(i, e)| {
                *e >= 0.85
                    && !query.terms[i].qualifier
                    && !query.terms[i].action
                    && chosen.iter().all(|(_, c)| c[i] < 0.6)
            });
            if same_topic || another_service {
                chosen.push((candidate.index, explained));
            }
        }
        // Two services asked for in one question are named in the question's order, when
        // they are asked for alike: a side match named earlier ("Fehlerspeicher sagt Zündspule
        // …") does not go before the service the question is about.
        let score_of = |index: usize| {
            scored
                .iter()
                .find(|(c, _)| c.index == index)
                .map_or(0.0, |(c, _)| c.score)
        };
        let alike = chosen
            .iter()
            .take_while(|(i, _)| score_of(*i) >= 0.85 * top.score)
            .count();
        if alike > 1 {
            let first_term = |explained: &[f32]| explained.iter().position(|e| *e >= 0.85);
            let distinct: Vec<Option<usize>> =
                chosen[..alike].iter().map(|(_, e)| first_term(e)).collect();
            if distinct.iter().all(Option::is_some) && distinct.windows(2).any(|w| w[0] != w[1]) {
                chosen[..alike].sort_by_key(|(_, e)| first_term(e));
            }
        }
        let mut together = vec![0.0_f32; query.terms.len()];
        for (_, explained) in &chosen {
            for (t, e) in together.iter_mut().zip(explained.iter()) {
                *t = t.max(*e);
            }
        }
        if share(&together) < 0.2 || share(top_explained) < 0.15 {
            return Vec::new();
        }
        chosen
            .into_iter()
            .map(|(index, _)| &self.entries[index].entry)
            .collect()
    }

    /// For each term, the vocabulary words it meets and how strongly.
    fn strengths(&self, query: &Query) -> Vec<Met> {
        query
            .terms
            .iter()
            .map(|term| {
                let mut met = Met {
                    by_word: vec![0.0; self.vocabulary.len()],
                    words: Vec::new(),
                };
                let forms: Vec<(&str, f32, u32)> = term
                    .forms
                    .iter()
                    .map(|(form, sure)| (form.as_str(), *sure, letters(form)))
                    .collect();
                for (number, word) in self.vocabulary.iter().enumerate() {
                    let best = forms
                        .iter()
                        .map(|(form, sure, known)| {
                            sure * strength_known(form, &word.text, [*known, word.letters])
                        })
                        .fold(0.0_f32, f32::max);
                    if best > 0.0 {
                        met.by_word[number] = best;
                        met.words.push(number as u32);
                    }
                }
                met
            })
            .collect()
    }

    /// How well `phrase` carries the question: the weight of the terms it meets, more when it
    /// is met as a whole; and per term, how well it is met.
    fn phrase_score(
        &self,
        phrase: &[(u32, f32)],
        strengths: &[Met],
        weights: &[f32],
        query: &Query,
    ) -> (f32, Vec<f32>, f32) {
        let mut matched = 0.0;
        let mut per_term = Vec::with_capacity(strengths.len());
        for ((by_word, weight), term) in strengths.iter().zip(weights).zip(&query.terms) {
            let hit = phrase
                .iter()
                .map(|(w, _)| by_word.of(*w))
                .fold(0.0_f32, f32::max);
            let hit = if term.negated { 0.0 } else { hit };
            matched += weight * hit;
            per_term.push(hit);
        }
        if matched <= 0.0 {
            return (0.0, per_term, 0.0);
        }
        let (mut met, mut all) = (0.0, 0.0);
        for (word, role) in phrase {
            let known = &self.vocabulary[*word as usize];
            let weight = known.weight * role;
            all += weight;
            // "Hybrid" in "Hybrid Inspektion" is met by the visitor's Prius.
            if known.kind.is_some_and(|k| Some(k) == query.kind) {
                met += weight;
                continue;
            }
            let hit = strengths
                .iter()
                .zip(&query.terms)
                .filter(|(_, term)| !term.negated)
                .map(|(by_word, _)| by_word.of(*word))
                .fold(0.0_f32, f32::max);
            met += weight * hit;
        }
        let coverage = if all > 0.0 { met / all } else { 0.0 };
        // "wallbox charger" against "onboard charger": a word the catalog does not know right
        // before the word met, where the name has a word of its own, says it is another thing.
        let hit_of = |term: usize, word: u32| {
            if query.terms[term].negated {
                0.0
            } else {
                strengths[term].of(word)
            }
        };
        let other_thing = phrase.windows(2).any(|pair| {
            let (before, head) = (pair[0].0, pair[1].0);
            (0..query.terms.len()).any(|t| {
                hit_of(t, head) >= 0.9
                    && (0..query.terms.len()).all(|u| hit_of(u, before) < 0.6)
                    && query.terms.iter().enumerate().any(|(u, modifier)| {
                        modifier.position.checked_add(1) == Some(query.terms[t].position)
                            && !modifier.qualifier
                            && !modifier.action
                            && strengths[u].is_empty()
                    })
            })
        });
        if other_thing {
            return (0.0, per_term, 0.0);
        }
        (matched * (0.5 + 0.5 * coverage), per_term, coverage)
    }

    /// Variants named in the question win; variants it does not name lose a little.
    fn variant_factor(&self, indexed: &Indexed, query: &Query, strengths: &[Met]) -> f32 {
        let mut factor = 1.0;
        for qualifier in &indexed.qualifiers {
            let (word, without) = match qualifier.strip_prefix('-') {
                Some(word) => (word, true),
                None => (qualifier.as_str(), false),
            };
            let number = self.numbers.get(word).copied();
            let named = query.terms.iter().zip(strengths).any(|(term, by_word)| {
                term.negated == without && number.is_some_and(|n| by_word.of(n) >= 0.6)
            });
            // An electric car has no exhaust: the variant without the emissions test is its.
            let named = if query.kind == Some(VehicleKind::Electric)
                && EXHAUST.iter().any(|e| is(word, e))
            {
                without
            } else {
                named
            };
            // Unnamed, a variant without something or for one side loses a little; "mit X"
            // is often the usual service ("HU mit AU").
            factor *= match (named, without || is_qualifier_word(word)) {
                (true, _) => 1.3,
                (false, true) => 0.85,
                (false, false) => 1.0,
            };
        }
        factor
    }
}

/// A name without what it says in parentheses, and what it says there: "Reifenwechsel
/// (Sommer/Winter)" → "Reifenwechsel", "Sommer/Winter".
fn split_parentheses(name: &str) -> (String, String) {
    let mut bare = String::new();
    let mut inside = String::new();
    let mut depth = 0_u32;
    for c in name.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth > 0 => inside.push(c),
            c => bare.push(c),
        }
        if c == '(' || c == ')' {
            inside.push(' ');
        }
    }
    (bare, inside)
}

/// The words of a name or alias with their weight in it: in German the nouns (written with a
/// capital) say what the service is about, the other words ("Wischwasser kommt nicht") less.
fn weighted_phrase(text: &str) -> Vec<(String, f32)> {
    let capitalised: Vec<bool> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().next().is_some_and(char::is_uppercase))
        .collect();
    let any_lower_after_first = capitalised.iter().skip(1).any(|c| !c);
    let any_capital_after_first = capitalised.iter().skip(1).any(|c| *c);
    let german_casing =
        any_lower_after_first && (any_capital_after_first || capitalised.first() == Some(&true));
    let raw: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    let mut phrase = Vec::new();
    for (index, original) in raw.iter().enumerate() {
        let noun = !german_casing || capitalised.get(index).copied().unwrap_or(true);
        // What a service is without ("ohne Lackieren", "bez lakierowania") is not what it is
        // about: it is a variant (see [`qualifiers_of`]), a question meets it only negated.
        let after_negation = index > 0 && has_any(&words(&raw[index - 1]), NEGATIONS);
        if after_negation {
            continue;
        }
        for word in words(original) {
            if word.len() >= 2 && !is_stop_word(&word) {
                let weight = if noun && !is_qualifier_word(&word) {
                    1.0
                } else {
                    0.4
                };
                phrase.push((word, weight));
            }
        }
    }
    phrase
}

/// The words of a name, alias or description that can be matched: no function words.
fn phrase_words(text: &str) -> Vec<String> {
    words(text)
        .into_iter()
        .filter(|w| w.len() >= 2 && !is_stop_word(w))
        .collect()
}

/// Whether a visitor's word may name a service.
fn is_term(word: &str) -> bool {
    word.len() >= 2
        && !word.chars().any(|c| c.is_ascii_digit())
        && !is_stop_word(word)
        && (!is_vehicle_word(word) || kind_in(std::slice::from_ref(&word.to_owned())).is_some())
}

/// How strongly visitor word `q` means catalog word `e`, 0 to 1: the same word; the same word
/// inflected ("bremse", "bremsen"); the first part of a compound ("oel" in "oelwechsel"); its
/// last part ("filter" in "oelfilter"); a typo ("zahnrimen").
pub(crate) fn strength(q: &str, e: &str) -> f32 {
    strength_known(q, e, [letters(q), letters(e)])
}

/// [`strength`] with the [`letters`] of both words known: the index compares every question
/// word with every catalog word, and most pairs are too far apart for a typo.
fn strength_known(q: &str, e: &str, [q_letters, e_letters]: [u32; 2]) -> f32 {
    if q == e {
        return 1.0;
    }
    let (ql, el) = (q.len(), e.len());
    if ql < 3 || el < 3 {
        return 0.0;
    }
    let common = q.bytes().zip(e.bytes()).take_while(|(a, b)| a == b).count();
    if common >= 4 && ql - common <= 3 && el - common <= 3 {
        return 0.9;
    }
    if el > ql {
        let stem = inflection_stem(q);
        if e.starts_with(q) || (stem.len() >= 4 && e.starts_with(stem)) {
            // "Kupplung" in "Kupplungsreparatur" says more than "frei" in "Freilauf".
            return if stem.len() >= 5 && 5 * stem.len() >= 2 * el {
                0.7
            } else {
                0.5
            };
        }
        if ql >= 4 && (e.ends_with(q) || (stem.len() >= 5 && e.ends_with(stem))) {
            return 0.6;
        }
    } else if el >= 5 {
        if q.ends_with(e) {
            return 0.7;
        }
        if q.starts_with(e) {
            return 0.35;
        }
    }
    let has_digit = |w: &str| w.bytes().any(|b| b.is_ascii_digit());
    if ql >= 5 && el >= 5 && ql.abs_diff(el) <= 2 && !has_digit(q) && !has_digit(e) {
        let limit = if ql.min(el) >= 8 { 2 } else { 1 };
        // An edit adds or takes away at most two letters of the set.
        let apart = (q_letters ^ e_letters).count_ones() as usize;
        if apart <= 2 * limit && edit_distance(q, e, limit) <= limit {
            return 0.75;
        }
    }
    0.0
}

/// The characters a word has, as a set of 32 bits (characters may share one): one edit of the
/// word changes at most two bits.
fn letters(word: &str) -> u32 {
    word.chars().fold(0, |set, c| set | 1 << (c as u32 % 32))
}

/// A German word without its inflection: "bremsen" → "brems", "kupplungen" → "kupplung".
fn inflection_stem(word: &str) -> &str {
    for ending in ["en", "er", "es", "e", "n", "s"] {
        if let Some(stem) = word.strip_suffix(ending)
            && stem.len() >= 3
        {
            return stem;
        }
    }
    word
}

/// Optimal string alignment distance (a swap of two neighbours is one edit), stopping early
/// beyond `limit`. ASCII words shorter than [`SHORT`] bytes (nearly all) are compared as bytes
/// with the rows on the stack: the assistant compares each question word with every catalog
/// word.
fn edit_distance(a: &str, b: &str, limit: usize) -> usize {
    if a.is_ascii() && b.is_ascii() && b.len() < SHORT {
        let [mut r0, mut r1, mut r2] = [[0usize; SHORT]; 3];
        return osa_distance(
            a.as_bytes(),
            b.as_bytes(),
            limit,
            [&mut r0, &mut r1, &mut r2],
        );
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let row = vec![0usize; b.len() + 1];
    let (mut r0, mut r1, mut r2) = (row.clone(), row.clone(), row);
    osa_distance(&a, &b, limit, [&mut r0, &mut r1, &mut r2])
}

const SHORT: usize = 32;

/// The distance with three rows of at least `b.len() + 1` cells (every cell is written before
/// it is read).
fn osa_distance<T: PartialEq>(a: &[T], b: &[T], limit: usize, rows: [&mut [usize]; 3]) -> usize {
    let [mut before, mut previous, mut current] = rows;
    for j in 0..=b.len() {
        before[j] = j;
        previous[j] = j;
    }
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = current[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(before[j - 2] + 1);
            }
            current[j] = value;
            row_min = row_min.min(value);
        }
        if row_min > limit {
            return limit + 1;
        }
        // The rows move up by one; the oldest is written over as the next.
        (before, previous, current) = (previous, current, before);
    }
    previous[b.len()]
}

/// The qualifiers of a service name: its variant words, and what follows "mit" or "ohne".
fn qualifiers_of(name_words: &[String]) -> Vec<String> {
    let mut qualifiers = Vec::new();
    for (index, word) in name_words.iter().enumerate() {
        let previous = index.checked_sub(1).map(|i| name_words[i].as_str());
        match previous {
            Some("mit") => qualifiers.push(word.clone()),
            Some("ohne") => qualifiers.push(format!("-{word}")),
            _ if is_qualifier_word(word) => qualifiers.push(word.clone()),
            _ => {}
        }
    }
    qualifiers
}

/// What an electric car does not have.
const EXHAUST: [&str; 3] = ["au", "abgasuntersuchung", "abgas"];

/// Words that choose a variant of a service.
const QUALIFIERS: &str = "vorne hinten vorn vorderachse hinterachse innen aussen komplett \
    rundum klein kleine kleiner kleinen kleines gross grosse grosser grossen grosses links \
    rechts oben unten small minor big large major full front rear left right interior kucuk buyuk \
    arka on sol sag maly maly male duzy duze przod przedni przednie tyl tylny tylne lewy \
    prawy";

fn is_qualifier_word(word: &str) -> bool {
    QUALIFIERS.split_whitespace().any(|q| is(word, q))
}

/// Words for what is done to a service's object.
const ACTIONS: &str = "wechseln wechsel erneuern tauschen austauschen austausch pruefen \
    pruefung reparieren reparatur reinigen reinigung einbauen einbau \
    nachruesten montieren montage einstellen auffuellen nachfuellen instand setzen \
    change replace replacement fix repair check clean cleaning install fit fitting \
    degisimi degisim degistirme tamir tamiri temizleme temizligi kontrol montaj onarim \
    wymiana wymiany wymiane wymienic zmiana zmiany zmienic naprawa naprawy naprawic \
    sprawdzenie czyszczenie montaz yenileme yenilemek degistirmek";

fn is_action(word: &str) -> bool {
    ACTIONS.split_whitespace().any(|a| is(word, a))
}

const NEGATIONS: &str = "ohne|without|bez|siz|olmadan";

/// Words before where something is fitted: "auf die", "an den", "im", "onto", "na".
const PLACES: &str = "auf|an|am|ans|in|im|ins|on|onto|into|na|do|w";

/// Words that say nothing about which service is meant, in the four languages.
const STOP_WORDS: &str = "\
    der die das den dem des ein eine einen einem einer eines und oder aber mit fuer von vom \
    zum zur bei beim aus nach vor ueber unter wie was wer wann warum welche welcher welches \
    ich sie wir ihr mein meine meinen meinem meiner dein euer eure euch uns ihnen ihre ist \
    sind bin bist seid war hat habe haben habt hatte haette kann koennen koennt kannst moechte \
    moechten will wollen wuerde wuerden mal doch noch schon auch nur sehr etwa ungefaehr circa \
    ca gerne gern bitte danke hallo moin kostet kosten koste kostest preis preise preisliste \
    teuer guenstig billig viel wieviel euro eur auto autos wagen fahrzeug fahrzeuge pkw kfz \
    machen macht mache gemacht lassen neue neuen neu neues neuer alte alten brauche braucht \
    brauchen benoetige klasse denn dann mir mich dir dich sich wenn dass weil also hier dort \
    jetzt heute morgen termin fahre fahren faehrt gibt euren eurem bekommen kriegen ganz etwas \
    sowas einmal inkl bzw sowie laut bis auf super okay ok prima perfekt klar alles man ja nein \
    nicht kein keine keinen so schon wieder immer seit gestern letzte letzten naechste \
    naechsten woche jahr jahre baujahr bj ez km kilometer tausend ungefaehr lange dauert dauer \
    dafuer dafur dazu damit davon darum nen ne nem fuern fuers fuer nehmt nimmt verlangt \
    verlangts hab hast selbst gleich wird werden wurde bevor muss musst muessen welchen \
    rechnen vorher faellig moeglich eigentlich vielleicht glaube glaub denke wohl total \
    richtig bisschen paar irgendwie ziemlich leider mehr weniger erst mal kurz schnell \
    ihn ihm es er sie uns unser unsere unseren unserem euer eurer tdi tsi tfsi cdi hdi crdi \
    dci gti gtd ps kw tkm variant touring avant kombi limousine coupe cabrio facelift \
    diesel benziner benzin one really since yesterday today like sounds lol came get rid \
    brauchts brauchen braucht steht stehen stehe firma waere wuerde koennte haetten gibts \
    turkce turkish polski polsku english deutsch englisch sprechen speak yazabilir \
    offer offers provide bietet anbieten model modell modeli modelu frei ohne without bez \
    siz kalt warm waehrend nehmen \
    speak english think bad morning bit lot lots sure though still again please asap \
    almak istiyorum arada bir sey sey biraz sanirim galiba lutfen hemen dun bugun \
    chyba troche prosze wczoraj dzisiaj jeszcze znowu bardzo moze \
    zeit wie lang stunden minuten geht gehen ging frage fragen sagen sagt gesagt meinung \
    angebot kostenvoranschlag hallo servus tag guten abend bei euch ihnen werkstatt \
    the and but with for from are was been does did can could would will should you she they \
    your our their this that these those what which who where when how much many price prices \
    cost costs quote please thanks thank hello hi car cars vehicle get got need needs new old \
    have has any some about charge like want there doing done great fine nice cool my is it \
    an of to in on at me we do much long take takes time hours does also too just really \
    mit welchen kann soll sollte ab ans am im ins vom kommt komme kommen durch voll voller \
    ne kadar icin bir ve mi mu mi misiniz musunuz var yok fiyat fiyati fiyatlari ucret ucreti \
    ucretli araba arabam arabamin arabama aracim araci arac kac lira tl para merhaba selam \
    tesekkur tesekkurler nedir yapiyor yapar yapiyorsunuz bana benim hangi olur olarak de da \
    su bu cok iyi gunler sizde sizin ben yaptirmak yaptirmak istiyorum lazim gerekiyor euro \
    avro ne zaman sure surer \
    ile kosztuje kosztuja koszt koszty jest nie sie na czy jak moj moja moje mojego mojej \
    samochod samochodu samochodzie auto auta autem cena ceny cene dzien dobry prosze dziekuje \
    dzieki za do od jaka jaki jakie kiedy mam moge mozna zrobic u o dla tez juz bardzo w z we \
    potrzebuje chce chcialbym chcialabym ile ten ta to tego wasz wasze pan pani ok trwa dlugo \
    euro zl zlotych";

fn is_stop_word(word: &str) -> bool {
    use std::collections::HashSet;
    use std::sync::LazyLock;
    static SET: LazyLock<HashSet<String>> = LazyLock::new(|| {
        STOP_WORDS
            .split_whitespace()
            .map(|w| canon(w).into_owned())
            .collect()
    });
    SET.contains(word)
}

/// Everyday, English, Turkish and Polish words (`word:german,german`, `*` for any ending) for
/// the words of a German catalog.
const GLOSSARY: &str = "\
    tuev:hauptuntersuchung tuv:hauptuntersuchung tuef:hauptuntersuchung \
    pickerl:hauptuntersuchung mot:hauptuntersuchung muayene*:hauptuntersuchung \
    hauptuntersuchung:hu service:inspektion servis:inspektion serwis*:inspektion \
    bakim*:inspektion inspection:inspektion kundendienst:inspektion wartung:inspektion \
    durchsicht:inspektion przeglad*:inspektion \
    oil:oel yag*:oel olej*:oel motoroel:oel \
    brake*:bremse,bremsen fren*:bremse,bremsen hamul*:bremse,bremsen bremse:bremsen \
    bremsen:bremse pads:bremsbelaege,belaege balata*:bremsbelaege,belaege \
    klocki:bremsbelaege klockow:bremsbelaege klockami:bremsbelaege discs:bremsscheiben \
    disc:bremsscheiben rotors:bremsscheiben disk*:bremsscheiben tarcz*:bremsscheiben \
    tyre*:reifen tire*:reifen lastik*:reifen opon*:reifen opony:reifen \
    wheel*:raeder,rad jant*:felge felg*:felge rim*:felge \
    battery:batterie aku*:batterie akumulator*:batterie \
    clutch:kupplung debriyaj*:kupplung sprzegl*:kupplung \
    triger*:zahnriemen rozrzad*:zahnriemen \
    exhaust:auspuff egzoz*:auspuff wydech*:auspuff tlumik*:auspuff muffler:auspuff \
    aircon:klima ac:klima klimaanlage:klima klimatyzac*:klima air:klima klimayi:klima \
    windscreen:windschutzscheibe,frontscheibe windshield:windschutzscheibe,frontscheibe \
    szyb*:scheibe cam*:scheibe wiper*:scheibenwischer silecek*:scheibenwischer \
    wycieraczk*:scheibenwischer alignment:achsvermessung geometri*:achsvermessung \
    rot:achsvermessung zbieznos*:achsvermessung spark:zuendkerzen buji*:zuendkerzen \
    swiec*:zuendkerzen coolant:kuehlmittel antifriz*:kuehlmittel \
    paint*:lack,lackieren boya*:lack,lackieren lakier*:lack,lackieren \
    dent*:delle,beule gocuk*:delle,beule wgniec*:delle,beule \
    headlight*:scheinwerfer far:scheinwerfer farlar*:scheinwerfer reflektor*:scheinwerfer \
    bulb*:gluehlampe,birne ampul*:gluehlampe,birne zarowk*:gluehlampe,birne \
    gearbox:getriebe transmission:getriebe sanziman*:getriebe skrzyn*:getriebe \
    shock*:stossdaempfer amortis*:stossdaempfer amortyzator*:stossdaempfer \
    suspension:fahrwerk zawiesz*:fahrwerk diagnos*:diagnose,fehlerspeicher \
    ariza:diagnose,fehlerspeicher engine:motor silnik*:motor \
    alternator*:lichtmaschine alternat*:lichtmaschine starter:anlasser mars:anlasser \
    rozrusznik*:anlasser filter*:filter filtre*:filter filtr*:filter \
    rear:hinten arka*:hinten tyl*:hinten tylne:hinten tylnych:hinten back:hinten \
    front:vorne on:vorne onde*:vorne onler*:vorne ondeki*:vorne przod*:vorne \
    przedni*:vorne \
    cleaning:reinigung,aufbereitung temizlik*:reinigung,aufbereitung \
    czyszcz*:reinigung,aufbereitung storage:einlagerung depolama:einlagerung \
    przechowywan*:einlagerung summer:sommer winter:winter \
    katalizor*:katalysator katalizator*:katalysator catalytic:katalysator \
    particulate:partikelfilter bearing*:lager rulman*:radlager lozysk*:radlager \
    steering:lenkung direksiyon*:lenkung kierowni*:lenkung chain:steuerkette \
    zincir*:steuerkette lancuch*:steuerkette key*:schluessel anahtar*:schluessel \
    kluczyk*:schluessel heater:heizung heating:heizung kalorifer*:heizung \
    ogrzewan*:heizung towbar:anhaengerkupplung hak:anhaengerkupplung \
    scratch*:kratzer cizik*:kratzer rys*:kratzer rust*:rost pas:rost rdz*:rost \
    bumper*:stossstange tampon*:stossstange zderzak*:stossstange mirror*:spiegel \
    ayna*:spiegel lusterk*:spiegel horn:hupe korna*:hupe klakson*:hupe \
    injector*:injektoren enjektor*:injektoren wtrysk*:injektoren turbo*:turbolader \
    gasket:dichtung conta*:dichtung uszczelk*:dichtung egr:agr \
    handbrake:handbremse reczn*:handbremse window*:fenster,fensterheber \
    radiator:kuehler radyator*:kuehler chlodnic*:kuehler thermostat:thermostat \
    termostat*:thermostat pump:pumpe pompa*:pumpe pompasi:pumpe \
    inspekcja:inspektion \
    squeak*:quietschen squeal*:quietschen quietsch*:quietschen gicird*:quietschen \
    ciyak*:quietschen piszcz*:quietschen skrzypi*:quietschen grind*:schleift \
    rattl*:klappern klapper*:klappern tikirti*:klappern stuk*:klappern noise*:geraeusch \
    ses*:geraeusch halas*:geraeusch leak*:undicht sizdiri*:undicht sizdirma:undicht sizinti*:undicht kacak*:undicht \
    wyciek*:undicht ciekn*:undicht smell*:geruch,stinkt stink*:stinkt koku*:geruch \
    smierdz*:stinkt zapach*:geruch vibrat*:vibriert shak*:vibriert titre*:vibriert \
    drga*:vibriert wobbl*:vibriert riech*:stinkt \
    duzy:grosse duze:grosse duzego:grosse duza:grosse big:grosse large:grosse \
    major:grosse buyuk:grosse maly:kleine male:kleine malego:kleine small:kleine \
    minor:kleine kucuk:kleine kis:winter kislik:winter \
    wyklep*:ausbeulen,dellendruecken";

/// Words that name a service only together ("timing belt", "triger kayışı", "pasek
/// rozrządu"), with the German words they stand for.
const PHRASE_GLOSSARY: &[(&str, &str)] = &[
    ("timing belt", "zahnriemen"),
    ("cambelt|cam belt", "zahnriemen"),
    ("timing chain", "steuerkette"),
    ("triger kayisi|triger seti", "zahnriemen"),
    ("pasek rozrzadu", "zahnriemen"),
    ("brake pads|brake pad", "bremsbelaege"),
    ("brake discs|brake disc|brake rotors", "bremsscheiben"),
    ("brake fluid", "bremsfluessigkeit"),
    ("fren hidroligi|fren yagi", "bremsfluessigkeit"),
    ("plyn hamulcowy|plynu hamulcowego", "bremsfluessigkeit"),
    ("water pump", "wasserpumpe"),
    ("devirdaim*", "wasserpumpe"),
    ("pompa wody|pompy wody", "wasserpumpe"),
    ("head gasket", "zylinderkopfdichtung"),
    ("silindir kapak contasi", "zylinderkopfdichtung"),
    (
        "uszczelka pod glowica|uszczelki pod glowica",
        "zylinderkopfdichtung",
    ),
    ("spark plugs|spark plug", "zuendkerzen"),
    ("glow plugs|glow plug", "gluehkerzen"),
    ("kizdirma bujisi|kizdirma bujileri", "gluehkerzen"),
    ("swiece zarowe|swiec zarowych", "gluehkerzen"),
    ("air filter", "luftfilter"),
    ("hava filtresi", "luftfilter"),
    ("filtr powietrza", "luftfilter"),
    ("cabin filter|pollen filter", "innenraumfilter,pollenfilter"),
    (
        "polen filtresi|kabin filtresi",
        "innenraumfilter,pollenfilter",
    ),
    (
        "filtr kabinowy|filtra kabinowego",
        "innenraumfilter,pollenfilter",
    ),
    ("fuel filter", "kraftstofffilter"),
    ("yakit filtresi|mazot filtresi", "kraftstofffilter"),
    ("filtr paliwa", "kraftstofffilter"),
    ("oil filter", "oelfilter"),
    ("yag filtresi", "oelfilter"),
    ("filtr oleju|filtrem oleju|z filtrem", "oelfilter"),
    (
        "mit filter|mit oelfilter|with filter|filtre ile|filtreli",
        "oelfilter",
    ),
    ("wheel alignment", "achsvermessung"),
    ("rot balans", "achsvermessung"),
    ("wheel bearing", "radlager"),
    (
        "tyre change|tire change|tyre swap|tire swap",
        "reifenwechsel",
    ),
    ("lastik degisimi|lastik degisim", "reifenwechsel"),
    ("wymiana opon|wymiane opon", "reifenwechsel"),
    ("winter tyres|winter tires", "winterreifen"),
    ("kis lastigi|kislik lastik", "winterreifen"),
    ("opony zimowe", "winterreifen"),
    ("oil change", "oelwechsel"),
    ("yag degisimi|yag degisim", "oelwechsel"),
    ("wymiana oleju|wymiane oleju", "oelwechsel"),
    ("air conditioning|air con", "klimaservice,klima"),
    ("klima bakimi|klima gazi", "klimaservice,klima"),
    (
        "serwis klimatyzacji|nabicie klimatyzacji|klimatyzacja",
        "klimaservice,klima",
    ),
    (
        "windscreen replacement|windshield replacement",
        "windschutzscheibe",
    ),
    ("on cam", "windschutzscheibe,frontscheibe"),
    (
        "cam film*|film cek*|cam karart*",
        "scheibentoenung,toenungsfolie",
    ),
    (
        "przednia szyba|przedniej szyby",
        "windschutzscheibe,frontscheibe",
    ),
    ("stone chip|rock chip", "steinschlag"),
    ("arac muayenesi|arac muayene", "hauptuntersuchung"),
    (
        "przeglad techniczny|badanie techniczne|przegladu technicznego",
        "hauptuntersuchung",
    ),
    (
        "annual inspection|safety inspection|state inspection|roadworthiness",
        "hauptuntersuchung",
    ),
    (
        "emissions test|emission test|exhaust test|smog check",
        "abgasuntersuchung",
    ),
    ("egzoz emisyon|emisyon olcumu", "abgasuntersuchung"),
    ("badanie spalin", "abgasuntersuchung"),
    (
        "check engine|engine light|engine warning light",
        "motorkontrollleuchte",
    ),
    ("motor arizasi|motor ariza lambasi", "motordiagnose"),
    ("kontrolka silnika|check silnika", "motorkontrollleuchte"),
    ("shock absorbers|shock absorber", "stossdaempfer"),
    ("power steering", "servolenkung"),
    ("tow bar|tow hitch|trailer hitch", "anhaengerkupplung"),
    ("cekici demiri|ceki demiri", "anhaengerkupplung"),
    ("hak holowniczy|haka holowniczego", "anhaengerkupplung"),
    ("parking sensors", "einparkhilfe"),
    ("park sensoru|park sensorleri", "einparkhilfe"),
    ("czujniki parkowania", "einparkhilfe"),
    (
        "reversing camera|backup camera|rear camera",
        "rueckfahrkamera",
    ),
    ("geri gorus kamerasi", "rueckfahrkamera"),
    ("kamera cofania", "rueckfahrkamera"),
    ("jump start", "starthilfe"),
    (
        "wont start|won t start|doesn t start|does not start",
        "springt,starthilfe",
    ),
    ("calismiyor|calismiyo", "springt,starthilfe"),
    ("nie odpala|nie zapala", "springt,starthilfe"),
    ("particulate filter|dpf", "partikelfilter"),
];

fn gloss(word: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (pattern, german) in GLOSSARY
        .split_whitespace()
        .filter_map(|entry| entry.split_once(':'))
    {
        let hit = match pattern.strip_suffix('*') {
            Some(prefix) => word.starts_with(&*canon(prefix)),
            None => is(word, pattern),
        };
        if hit {
            out.extend(german.split(',').map(|g| canon(g).into_owned()));
        }
    }
    out
}

/// A glossary phrase at the start of `words`: how many words it spans and what it stands for.
fn phrase_gloss(words: &[String]) -> Option<(usize, &'static str)> {
    PHRASE_GLOSSARY.iter().find_map(|(patterns, german)| {
        patterns.split('|').find_map(|pattern| {
            let parts: Vec<&str> = pattern.split(' ').collect();
            let window = words.get(..parts.len())?;
            crate::catalog::text::has(window, pattern).then_some((parts.len(), *german))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_strengths() {
        assert_eq!(strength("oelwechsel", "oelwechsel"), 1.0);
        assert!(strength("bremsen", "bremse") >= 0.9);
        assert!(strength("oel", "oelwechsel") >= 0.5);
        assert!(strength("kupplung", "kupplungsreparatur") >= 0.7);
        assert!(strength("frei", "freilauf") < 0.7);
        assert!(strength("filter", "oelfilter") >= 0.6);
        assert!(strength("zahnrimen", "zahnriemen") >= 0.7);
        assert!(strength("winterreifenwechsel", "reifenwechsel") >= 0.7);
        assert_eq!(strength("wasserstoff", "stossstange"), 0.0);
        assert!(strength("lenkradbezug", "lenkrad") < 0.5);
    }

    fn first(index: &CatalogIndex, text: &str) -> Option<String> {
        index
            .select(&Query::of(text))
            .first()
            .map(|e| e.name.clone())
    }

    #[test]
    fn what_a_service_does_and_where() {
        let index = CatalogIndex::new(super::super::catalog_cache::standard_entries());
        // Where something is fitted is not what is fitted.
        assert_eq!(
            first(&index, "Fahrradträger auf die Anhängerkupplung montieren"),
            None
        );
        assert_eq!(
            first(&index, "Anhängerkupplung montieren").as_deref(),
            Some("Anhängerkupplung nachrüsten")
        );
        // An unknown word before the word met names another thing.
        assert_eq!(first(&index, "can you install a wallbox charger"), None);
        assert_eq!(
            first(&index, "my onboard charger is broken").as_deref(),
            Some("Bordladegerät erneuern")
        );
        // Cleaning asks for a service that cleans.
        assert_eq!(
            first(&index, "DPF temizleme").as_deref(),
            Some("Dieselpartikelfilter reinigen")
        );
        // A motorcycle's owner gets no car or electric-car service.
        assert_eq!(first(&index, "E-Scooter Akku lädt nicht"), None);
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("bremsen", "brmsen", 2), 1);
        assert_eq!(edit_distance("kupplung", "kuplpung", 2), 1);
        assert_eq!(edit_distance("zahnriemen", "zahnrimen", 2), 1);
        assert!(edit_distance("auspuff", "batterie", 2) > 2);
    }

    /// The letter sets never turn away a typo: every word one or two edits away (swaps,
    /// insertions, deletions, substitutions, umlauts too) is within twice as many bits.
    #[test]
    fn letter_sets_keep_every_typo() {
        fn edits(word: &[char]) -> Vec<Vec<char>> {
            let mut out = Vec::new();
            for i in 0..=word.len() {
                for c in ['a', 'q', 'ü', 'z', 'ß'] {
                    let mut inserted = word.to_vec();
                    inserted.insert(i, c);
                    out.push(inserted);
                    if i < word.len() {
                        let mut substituted = word.to_vec();
                        substituted[i] = c;
                        out.push(substituted);
                    }
                }
                if i < word.len() {
                    let mut deleted = word.to_vec();
                    deleted.remove(i);
                    out.push(deleted);
                }
                if i + 1 < word.len() {
                    let mut swapped = word.to_vec();
                    swapped.swap(i, i + 1);
                    out.push(swapped);
                }
            }
            out
        }
        for word in ["zahnriemen", "bremsen", "kupplung", "größe"] {
            let original: Vec<char> = word.chars().collect();
            let of = |chars: &[char]| chars.iter().collect::<String>();
            for once in edits(&original) {
                for twice in std::iter::once(once.clone()).chain(edits(&once)) {
                    let (a, b) = (of(&original), of(&twice));
                    let distance = edit_distance(&a, &b, 2);
                    if distance <= 2 {
                        let apart = (letters(&a) ^ letters(&b)).count_ones() as usize;
                        assert!(apart <= 2 * distance, "{a} / {b}: {apart} bits, {distance}");
                    }
                }
            }
        }
        assert_eq!(strength("zahnrimen", "zahnriemen"), 0.75);
    }
}
