//! Password hashing (argon2id at OWASP parameters) and the password policy.

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_LENGTH: usize = 10;
/// Long enough for any passphrase, short enough that hashing cannot be abused.
pub const MAX_LENGTH: usize = 256;

/// OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .expect("the OWASP parameters are valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

static COMMON_PASSWORDS: LazyLock<std::collections::HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common_passwords.txt")
        .lines()
        .map(str::trim)
        .collect()
});

/// Why a password is refused; `None` when it may be used.
pub fn policy_violation(password: &str, email: &str) -> Option<&'static str> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Some("Das Passwort muss mindestens 10 Zeichen lang sein.");
    }
    if length > MAX_LENGTH {
        return Some("Das Passwort darf höchstens 256 Zeichen lang sein.");
    }
    let lowered = password.to_lowercase();
    let first = lowered.chars().next();
    if lowered.chars().all(|c| Some(c) == first) || COMMON_PASSWORDS.contains(lowered.as_str()) {
        return Some("Dieses Passwort ist zu verbreitet; bitte wählen Sie ein anderes.");
    }
    if !email.is_empty() && lowered == email.to_lowercase() {
        return Some("Das Passwort darf nicht Ihre E-Mail-Adresse sein.");
    }
    None
}

/// Hashes on a blocking thread: argon2 at these parameters takes tens of milliseconds.
pub async fn hash(password: String) -> Result<String, argon2::password_hash::Error> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|_| argon2::password_hash::Error::Crypto)?
}

pub struct Verified {
    pub matches: bool,
    /// The stored hash uses other parameters than today's and should be replaced.
    pub needs_rehash: bool,
}

/// Verifies `password` against `stored`; with `None` it verifies against a fixed hash so that an
/// unknown e-mail address costs the same time as a wrong password.
pub async fn verify(password: String, stored: Option<String>) -> Verified {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return Verified {
                matches: false,
                needs_rehash: false,
            };
        };
        let matches = known
            && argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
        let current = Params::try_from(&parsed).ok();
        let needs_rehash = parsed.algorithm.as_str() != "argon2id"
            || parsed.version != Some(Version::V0x13.into())
            || current.is_none_or(|p| {
                (p.m_cost(), p.t_cost(), p.p_cost()) != (MEMORY_KIB, ITERATIONS, PARALLELISM)
            });
        Verified {
            matches,
            needs_rehash,
        }
    })
    .await
    .unwrap_or(Verified {
        matches: false,
        needs_rehash: false,
    })
}

static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    argon2()
        .hash_password(b"carbot-timing-equaliser", &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_refuses_short_common_and_trivial_passwords() {
        assert!(policy_violation("", "a@b.de").is_some());
        assert!(policy_violation("kurz", "a@b.de").is_some());
        assert!(policy_violation("Password123", "a@b.de").is_some());
        assert!(policy_violation("1234567890", "a@b.de").is_some());
        assert!(policy_violation("aaaaaaaaaaaa", "a@b.de").is_some());
        assert!(policy_violation("inhaber@werkstatt.de", "inhaber@werkstatt.de").is_some());
        assert!(policy_violation(&"x".repeat(300), "a@b.de").is_some());
        assert_eq!(policy_violation("Zündkerze-Ventil-42", "a@b.de"), None);
    }

    #[tokio::test]
    async fn hashes_verify_and_old_parameters_ask_for_a_rehash() {
        let hashed = hash("Zündkerze-Ventil-42".into()).await.expect("hash");
        let ok = verify("Zündkerze-Ventil-42".into(), Some(hashed.clone())).await;
        assert!(ok.matches && !ok.needs_rehash);
        assert!(!verify("falsch-falsch".into(), Some(hashed)).await.matches);
        assert!(!verify("Zündkerze-Ventil-42".into(), None).await.matches);

        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8192, 1, 1, None).expect("params"),
        );
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let old = weak
            .hash_password("Zündkerze-Ventil-42".as_bytes(), &salt)
            .expect("hash")
            .to_string();
        let old = verify("Zündkerze-Ventil-42".into(), Some(old)).await;
        assert!(old.matches && old.needs_rehash);
    }
}
