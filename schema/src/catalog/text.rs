//! Visitor texts as words: folded (umlauts, Turkish and Polish letters) and matched against
//! patterns, for the assistant's intents and the vehicle class a text names.

use std::borrow::Cow;

/// Lower-case words with umlauts and Turkish and Polish letters folded, so that "Öl", "Oel" and
/// "oel" meet; umlauts and their spellings "ae", "oe", "ue" end as the bare vowel ("ol"), so that
/// Turkish "römork", "romork" and "roemork" meet too. Word lists compared with these words go
/// through [`canon`].
pub fn words(text: &str) -> Vec<String> {
    let mut folded = String::with_capacity(text.len() + 8);
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => folded.push_str("ae"),
            'ö' => folded.push_str("oe"),
            'ü' => folded.push_str("ue"),
            'ß' => folded.push_str("ss"),
            'ı' => folded.push('i'),
            'ş' | 'ś' => folded.push('s'),
            'ç' | 'ć' => folded.push('c'),
            'ğ' => folded.push('g'),
            'ą' | 'à' | 'á' | 'â' => folded.push('a'),
            'ę' | 'é' | 'è' | 'ê' => folded.push('e'),
            'ł' => folded.push('l'),
            'ń' => folded.push('n'),
            'ó' => folded.push('o'),
            'ź' | 'ż' => folded.push('z'),
            // The dot of a lower-cased Turkish "İ".
            '\u{307}' => {}
            c if c.is_alphanumeric() => folded.push(c),
            _ => folded.push(' '),
        }
    }
    folded
        .split_whitespace()
        .map(|word| canon(word).into_owned())
        .collect()
}

/// A folded word with "ae", "oe", "ue" as "a", "o", "u": "oelwechsel" → "olwechsel". Borrowed
/// when there is nothing to replace (most words): the assistant compares hundreds of patterns
/// per question, and this keeps those comparisons free of allocations.
pub fn canon(word: &str) -> Cow<'_, str> {
    let digraph = word
        .as_bytes()
        .windows(2)
        .any(|pair| pair[1] == b'e' && matches!(pair[0], b'a' | b'o' | b'u'));
    if !digraph {
        return Cow::Borrowed(word);
    }
    Cow::Owned(
        word.replace("ae", "a")
            .replace("oe", "o")
            .replace("ue", "u"),
    )
}

/// Whether `word` (from [`words`]) is `listed`, a word of a list written folded ("guenstig").
pub fn is(word: &str, listed: &str) -> bool {
    word.len() <= listed.len() && word == canon(listed)
}

/// Whether `words` contain `pattern`: words separated by spaces, each matching a whole word, or
/// the beginning of a word when it ends in `*`.
pub fn has(words: &[String], pattern: &str) -> bool {
    let parts = pattern.split(' ').count();
    words
        .windows(parts)
        .any(|window| matches_words(window, pattern))
}

/// Whether `window` (as many words as `pattern` has) is `pattern`, word by word.
pub fn matches_words(window: &[String], pattern: &str) -> bool {
    window
        .iter()
        .zip(pattern.split(' '))
        .all(|(word, part)| match part.strip_suffix('*') {
            Some(prefix) => word.starts_with(&*canon(prefix)),
            None => is(word, part),
        })
}

/// Whether `words` contain any of the `|`-separated `patterns`.
pub fn has_any(words: &[String], patterns: &str) -> bool {
    patterns.split('|').any(|pattern| has(words, pattern))
}
