//! The language a visitor writes in: German, English, Turkish or Polish, told by the letters only
//! one of them uses and by its everyday words. The widget's locale is what the website shows; a
//! Turkish visitor on a German workshop's site still gets a Turkish answer.

use crate::catalog::text::{is, words};
use crate::locale::Locale;

/// Everyday words of each language, folded like the visitor's ("für" → "fuer", "ş" → "s").
/// Words the languages share ("auto", "service", "golf") are left out.
const MARKERS: [(Locale, &str); 4] = [
    (
        Locale::De,
        "ich und der die das den dem ist was wie kostet kosten koste fuer mein meine meinen \
         meinem bei beim ein eine einen einem haben habt hat sie ihr euch bitte nicht wann \
         heute morgen danke hallo guten tag oder auch noch wieviel viel teuer preis preise \
         wechseln wechsel machen macht neue neuen brauche bremsen reifen kupplung \
         zahnriemen oel inspektion hinten vorne mit ohne lange dauert geoeffnet offen \
         termin wagen bremse moin servus gruess gott sind wir nein gibt es an auf im mal \
         muss kann geht springt schlecht morgens wieder vom zum zur nen ne nem fuer fuern \
         laesst lassen kaputt undicht defekt leuchtet quietschen quietscht",
    ),
    (
        Locale::En,
        "the is how much what my for does you cost costs price prices car change need when \
         open hi hello thanks thank please can your of it and with new front rear brake \
         brakes tyres tires tyre tire oil long take takes does are much quote get replace \
         replacement fix repair much there about much have has we our yes no would like \
         need needs wont won t doesn isn this that since really on at",
    ),
    (
        Locale::Tr,
        "ne kadar icin bir ve mi mu var yok fiyat fiyati fiyatlari ucret ucreti ucretli araba \
         arabam arabamin aracim araci arac degisimi degisim degistirme kac lira tl merhaba \
         selam tesekkur tesekkurler nedir yapiyor musunuz misiniz bana benim hangi saat \
         acik randevu lastik fren balata yag bakim muayene sure surer yapar olur olarak \
         icin mi de da su bu cok iyi gunler naber kadar",
    ),
    (
        Locale::Pl,
        "ile kosztuje kosztuja koszt jest nie sie na czy jak moj moja moje mojego samochod \
         samochodu auta wymiana wymiany cena ceny cene dzien dobry prosze dziekuje dzieki \
         hamulce hamulcow klocki opony opon olej oleju przeglad przegladu za od jaka jaki \
         jakie kiedy otwarte godziny czesc witam mam moge mozna zrobic trwa dlugo tylne \
         przednie z w we u o dla tez juz bardzo",
    ),
];

/// Letters only one of the four languages writes.
fn letter_hint(text: &str) -> Option<Locale> {
    let mut counts = [0_u32; 4];
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' | 'ß' => counts[0] += 1,
            'ı' | 'ş' | 'ğ' | 'ç' => counts[2] += 1,
            'ą' | 'ę' | 'ł' | 'ś' | 'ź' | 'ż' | 'ć' | 'ń' | 'ó' => counts[3] += 1,
            _ => {}
        }
    }
    let (index, count) = counts
        .iter()
        .enumerate()
        .max_by_key(|(_, count)| **count)
        .map(|(i, c)| (i, *c))?;
    (count > 0).then(|| [Locale::De, Locale::En, Locale::Tr, Locale::Pl][index])
}

/// The language `text` is written in, when it says so clearly enough: letters only one
/// language has, or clearly more everyday words of one language than of any other. A bare
/// "Golf 7" or "ok" tells nothing.
pub fn detect(text: &str) -> Option<Locale> {
    if let Some(locale) = letter_hint(text) {
        return Some(locale);
    }
    let words = words(text);
    let mut scores = [0_usize; 4];
    for (index, (_, markers)) in MARKERS.iter().enumerate() {
        scores[index] = words
            .iter()
            .filter(|w| markers.split_whitespace().any(|m| is(w, m)))
            .count();
    }
    // Endings only one language has: Polish "-acji", "-anie", "-ecie", Turkish "-iyor",
    // "-misiniz", "-musunuz".
    for word in &words {
        let ends = |endings: &[&str]| {
            endings
                .iter()
                .any(|e| word.len() > e.len() + 2 && word.ends_with(e))
        };
        if ends(&["acji", "anie", "ecie", "owac", "ujecie", "ami", "ego"]) {
            scores[3] += 1;
        }
        if ends(&[
            "iyor", "iyorum", "misiniz", "musunuz", "misin", "miyim", "yor",
        ]) {
            scores[2] += 1;
        }
    }
    let mut ranked: Vec<(usize, usize)> = scores.iter().copied().enumerate().collect();
    ranked.sort_by_key(|r| std::cmp::Reverse(r.1));
    let (best, best_score) = ranked[0];
    let runner_up = ranked[1].1;
    (best_score >= 1 && best_score > runner_up).then(|| MARKERS[best].0)
}

/// The language to answer in: the message's own, else the language of the visitor's latest
/// earlier message that told one, else the widget's locale.
pub fn answer_language<'a>(
    text: &str,
    earlier_visitor_messages: impl Iterator<Item = &'a str>,
    widget: Locale,
) -> Locale {
    detect(text)
        .or_else(|| earlier_visitor_messages.into_iter().find_map(detect))
        .unwrap_or(widget)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_the_four_languages_apart() {
        let cases = [
            ("Was kostet ein Ölwechsel beim Golf?", Locale::De),
            ("was kostet oelwechsel", Locale::De),
            ("Wie teuer sind neue Bremsen hinten", Locale::De),
            ("How much is an oil change for my Golf?", Locale::En),
            ("price for new brake pads", Locale::En),
            ("Yağ değişimi ne kadar?", Locale::Tr),
            ("fren balatasi degisimi kac lira", Locale::Tr),
            ("Ile kosztuje wymiana oleju?", Locale::Pl),
            ("ile kosztuje wymiana klockow hamulcowych", Locale::Pl),
            ("Ile kosztuje przegląd?", Locale::Pl),
        ];
        for (text, locale) in cases {
            assert_eq!(detect(text), Some(locale), "{text}");
        }
        assert_eq!(detect("Golf 7"), None);
        assert_eq!(detect("ok"), None);
    }

    #[test]
    fn an_unclear_message_keeps_the_conversation_language() {
        let earlier = ["Ile kosztuje wymiana oleju?"];
        assert_eq!(
            answer_language("Golf 7", earlier.iter().copied(), Locale::De),
            Locale::Pl
        );
        assert_eq!(
            answer_language("Golf 7", [].into_iter(), Locale::En),
            Locale::En
        );
        assert_eq!(
            answer_language("Was kostet der TÜV?", [].into_iter(), Locale::En),
            Locale::De
        );
    }
}
