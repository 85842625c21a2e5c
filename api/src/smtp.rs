//! E-mail over SMTP with `lettre` (tokio, rustls): the server side of `carbot_schema::mail`.

use std::time::Duration;

use anyhow::{Context, bail};
use carbot_schema::mail::{Outgoing, SendError, Sent, Transport};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Waits at most this long for the mail server at each step.
const TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// TLS from the first byte (`smtps://`).
    Implicit,
    /// STARTTLS, refused if the server does not offer it.
    Required,
    /// STARTTLS when offered.
    Opportunistic,
    None,
}

/// The parts of an `SMTP_URL`.
#[derive(Debug, PartialEq, Eq)]
struct Endpoint {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<(String, String)>,
}

fn parse(url: &str) -> anyhow::Result<Endpoint> {
    let url = url::Url::parse(url).context("SMTP_URL is not a URL")?;
    let implicit = match url.scheme() {
        "smtps" => true,
        "smtp" => false,
        other => bail!("SMTP_URL must start with smtp:// or smtps://, not {other}://"),
    };
    let host = url.host_str().context("SMTP_URL names no host")?.to_owned();
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(text)
            .decode_utf8_lossy()
            .into_owned()
    };
    let credentials = (!url.username().is_empty())
        .then(|| (decode(url.username()), decode(url.password().unwrap_or(""))));
    let port = url
        .port()
        .unwrap_or(match (implicit, credentials.is_some()) {
            (true, _) => 465,
            (false, true) => 587,
            (false, false) => 25,
        });
    let asked = url
        .query_pairs()
        .find(|(key, _)| key == "tls")
        .map(|(_, value)| value.into_owned());
    let security = match (implicit, asked.as_deref()) {
        (true, _) => Security::Implicit,
        (false, Some("required")) => Security::Required,
        (false, Some("opportunistic")) => Security::Opportunistic,
        (false, Some("none")) => Security::None,
        (false, Some(other)) => {
            bail!("SMTP_URL: tls={other} is not required, opportunistic or none")
        }
        // A password is never sent in the clear; submission (587) speaks STARTTLS.
        (false, None) if credentials.is_some() || port == 587 => Security::Required,
        (false, None) => Security::None,
    };
    Ok(Endpoint {
        host,
        port,
        security,
        credentials,
    })
}

#[derive(Debug)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// For `Message-ID`s: the sender's domain.
    domain: String,
}

impl Smtp {
    pub fn new(url: &str, from: &str) -> anyhow::Result<Self> {
        let endpoint = parse(url)?;
        let from: Mailbox = from
            .parse()
            .with_context(|| format!("CARBOT_MAIL_FROM {from:?} is not an address"))?;
        let tls = || TlsParameters::new(endpoint.host.clone()).context("TLS for SMTP_URL");
        let tls = match endpoint.security {
            Security::Implicit => Tls::Wrapper(tls()?),
            Security::Required => Tls::Required(tls()?),
            Security::Opportunistic => Tls::Opportunistic(tls()?),
            Security::None => Tls::None,
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(endpoint.host.as_str())
                .port(endpoint.port)
                .tls(tls)
                .timeout(Some(TIMEOUT));
        if let Some((user, password)) = endpoint.credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        tracing::info!(host = %endpoint.host, port = endpoint.port, security = ?endpoint.security, "e-mail goes out over SMTP");
        Ok(Self {
            transport: builder.build(),
            domain: from.email.domain().to_owned(),
            from,
        })
    }
}

#[async_trait::async_trait]
impl Transport for Smtp {
    async fn send(&self, mail: &Outgoing) -> Result<Sent, SendError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| SendError::Permanent(format!("not an address: {e}")))?;
        let mut message = Message::builder().from(self.from.clone()).to(to);
        // An unreadable reply address (a customer's typo) does not stop the e-mail.
        if let Some(reply_to) = mail
            .reply_to
            .as_deref()
            .and_then(|a| a.parse::<Mailbox>().ok())
        {
            message = message.reply_to(reply_to);
        }
        let message = message
            .subject(&mail.subject)
            .message_id(Some(format!("<{}@{}>", mail.id, self.domain)))
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| SendError::Permanent(format!("cannot build the e-mail: {e}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(Sent::Delivered),
            Err(error) if error.is_permanent() => Err(SendError::Permanent(error.to_string())),
            Err(error) => Err(SendError::Transient(error.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_choose_port_and_security() {
        let submission =
            parse("smtp://mailer%40carbot.de:p%40ss@mail.example.de:587").expect("parses");
        assert_eq!(
            submission,
            Endpoint {
                host: "mail.example.de".into(),
                port: 587,
                security: Security::Required,
                credentials: Some(("mailer@carbot.de".into(), "p@ss".into())),
            }
        );
        let implicit = parse("smtps://u:p@mail.example.de").expect("parses");
        assert_eq!(
            (implicit.port, implicit.security),
            (465, Security::Implicit)
        );
        let relay = parse("smtp://127.0.0.1:2525").expect("parses");
        assert_eq!(
            (relay.port, relay.security, relay.credentials),
            (2525, Security::None, None)
        );
        let forced = parse("smtp://relay:25?tls=opportunistic").expect("parses");
        assert_eq!(forced.security, Security::Opportunistic);
        assert!(parse("http://mail.example.de").is_err());
        assert!(parse("smtp://relay?tls=maybe").is_err());
    }
}
