//! Conversations between visitors, the assistant and the workshop's people: the widget API
//! (`startConversation`, `sendMessage`), the owner's live takeover, the client keys and widget
//! settings the widget runs on, and the subscriptions that stream it all to the widget and the
//! console.

pub mod assistant;
pub mod client_keys;
pub mod consent;
pub mod conversation;
pub mod message;
pub mod owner;
pub mod reply;
pub mod subscriptions;
pub mod visitor;
pub mod widget_settings;

use async_graphql::MergedObject;

pub use conversation::{Conversation, ConversationLoader, ConversationRow, find_conversations};
pub use message::{
    MAX_MESSAGE_CHARS, Message, MessageByIdLoader, MessageLoader, MessageRole, MessageRow,
};
pub use visitor::abuse_limits;

#[derive(MergedObject, Default)]
pub struct ChatQuery(
    widget_settings::WidgetSettingsQuery,
    client_keys::ClientKeyQuery,
    conversation::ConversationQuery,
);

#[derive(MergedObject, Default)]
pub struct ChatMutation(
    client_keys::ClientKeyMutation,
    widget_settings::WidgetSettingsMutation,
    visitor::VisitorMutation,
    owner::OwnerMutation,
);
