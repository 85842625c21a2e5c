//! Global, opaque object ids: `base64url("<Type>:<uuid>")`.
//!
//! Clients treat them as opaque strings; the type prefix lets `node(id:)` find the right table and
//! keeps an id of one type from being accepted where another is expected.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    Workshop,
    User,
    ApiToken,
    ServiceCategory,
    Service,
    ClientKey,
    Conversation,
    Message,
    Lead,
    LeadNote,
    Invitation,
    /// A version of a consent text (`widgetConfig.consentVersion`).
    ConsentVersion,
    PrivacyAuditEntry,
    WebhookEndpoint,
    WebhookDelivery,
}

impl NodeType {
    const ALL: [NodeType; 15] = [
        Self::Workshop,
        Self::User,
        Self::ApiToken,
        Self::ServiceCategory,
        Self::Service,
        Self::ClientKey,
        Self::Conversation,
        Self::Message,
        Self::Lead,
        Self::LeadNote,
        Self::Invitation,
        Self::ConsentVersion,
        Self::PrivacyAuditEntry,
        Self::WebhookEndpoint,
        Self::WebhookDelivery,
    ];

    fn prefix(self) -> &'static str {
        match self {
            Self::Workshop => "Workshop",
            Self::User => "User",
            Self::ApiToken => "ApiToken",
            Self::ServiceCategory => "ServiceCategory",
            Self::Service => "Service",
            Self::ClientKey => "ClientKey",
            Self::Conversation => "Conversation",
            Self::Message => "Message",
            Self::Lead => "Lead",
            Self::LeadNote => "LeadNote",
            Self::Invitation => "Invitation",
            Self::ConsentVersion => "ConsentVersion",
            Self::PrivacyAuditEntry => "PrivacyAuditEntry",
            Self::WebhookEndpoint => "WebhookEndpoint",
            Self::WebhookDelivery => "WebhookDelivery",
        }
    }
}

pub fn encode(node_type: NodeType, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", node_type.prefix())))
}

/// Decodes any global id; `None` for anything that is not one.
pub fn decode_any(id: &str) -> Option<(NodeType, Uuid)> {
    let raw = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = std::str::from_utf8(&raw).ok()?;
    let (prefix, uuid) = text.split_once(':')?;
    let node_type = NodeType::ALL.into_iter().find(|t| t.prefix() == prefix)?;
    Some((node_type, Uuid::parse_str(uuid).ok()?))
}

/// Decodes a global id that must be of `expected` type.
pub fn decode(expected: NodeType, id: &str) -> Option<Uuid> {
    decode_any(id)
        .filter(|(t, _)| *t == expected)
        .map(|(_, uuid)| uuid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_keep_their_type() {
        let uuid = Uuid::new_v4();
        let id = encode(NodeType::ApiToken, uuid);
        assert_eq!(decode(NodeType::ApiToken, &id), Some(uuid));
        assert_eq!(decode(NodeType::Workshop, &id), None);
        assert_eq!(decode_any("not an id"), None);
        assert_eq!(decode_any(&URL_SAFE_NO_PAD.encode("Lead:123")), None);
    }
}
