//! One layout for every e-mail: a plain-text part and a simple HTML part (askama, auto-escaped)
//! from the same pieces, so the two never say different things.

use askama::Template as _;

use crate::locale::Locale;

/// The pieces of an e-mail, already in the recipient's language.
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// The workshop the e-mail is about, shown above the heading.
    pub workshop: Option<String>,
    pub heading: String,
    pub paragraphs: Vec<String>,
    /// Label and value rows (a lead's name, contact, vehicle, …).
    pub facts: Vec<(String, String)>,
    /// The button: its label and absolute link.
    pub action: Option<(String, String)>,
    pub footer: String,
}

/// A rendered e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(askama::Template)]
#[template(path = "mail.html")]
struct Html<'a> {
    lang: &'a str,
    subject: &'a str,
    workshop: &'a Option<String>,
    heading: &'a str,
    paragraphs: &'a [String],
    facts: &'a [(String, String)],
    action: &'a Option<(String, String)>,
    footer: &'a str,
}

impl Body {
    pub fn render(&self, locale: Locale, subject: String) -> Rendered {
        let html = Html {
            lang: locale.as_str(),
            subject: &subject,
            workshop: &self.workshop,
            heading: &self.heading,
            paragraphs: &self.paragraphs,
            facts: &self.facts,
            action: &self.action,
            footer: &self.footer,
        }
        .render()
        // Rendering writes into a String and the template has no fallible filters.
        .unwrap_or_default();
        Rendered {
            text: self.text(),
            html,
            subject,
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        if let Some(workshop) = &self.workshop {
            out.push_str(workshop);
            out.push_str("\n\n");
        }
        out.push_str(&self.heading);
        out.push_str("\n\n");
        for paragraph in &self.paragraphs {
            out.push_str(paragraph);
            out.push_str("\n\n");
        }
        if !self.facts.is_empty() {
            let width = self
                .facts
                .iter()
                .map(|(label, _)| label.chars().count())
                .max()
                .unwrap_or(0);
            for (label, value) in &self.facts {
                let pad = " ".repeat(width - label.chars().count());
                let indent = " ".repeat(width + 2);
                let value = value.replace('\n', &format!("\n{indent}"));
                out.push_str(&format!("{label}:{pad} {value}\n"));
            }
            out.push('\n');
        }
        if let Some((label, url)) = &self.action {
            out.push_str(&format!("{label}:\n{url}\n\n"));
        }
        out.push_str("-- \n");
        out.push_str(&self.footer);
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_html_carry_the_same_pieces_and_html_is_escaped() {
        let body = Body {
            workshop: Some("Autohaus <Nord>".into()),
            heading: "Neue Anfrage".into(),
            paragraphs: vec!["Eine Anfrage & mehr.".into()],
            facts: vec![
                ("Name".into(), "Eva <script>".into()),
                ("Nachricht".into(), "Zeile 1\nZeile 2".into()),
            ],
            action: Some((
                "Öffnen".into(),
                "https://app.example/leads/1?a=b&c=d".into(),
            )),
            footer: "CarBot".into(),
        };
        let mail = body.render(Locale::De, "Betreff".into());
        assert!(mail.text.contains("Autohaus <Nord>\n\nNeue Anfrage\n\n"));
        assert!(mail.text.contains("Name:      Eva <script>\n"));
        assert!(
            mail.text
                .contains("Nachricht: Zeile 1\n           Zeile 2\n")
        );
        assert!(
            mail.text
                .contains("Öffnen:\nhttps://app.example/leads/1?a=b&c=d\n")
        );
        assert!(
            mail.html.contains("Autohaus &#60;Nord&#62;")
                || mail.html.contains("Autohaus &lt;Nord&gt;")
        );
        assert!(!mail.html.contains("<script>"));
        assert!(mail.html.contains("<html lang=\"de\">"));
        assert!(mail.html.contains("a=b&#38;c=d") || mail.html.contains("a=b&amp;c=d"));
    }
}
