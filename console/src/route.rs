//! The console's pages and their paths, in one place.

#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    Dashboard,
    Leads,
    Lead(String),
    Chats,
    Services,
    Widget,
    Tokens,
    Settings,
    Plan,
}

impl Route {
    pub fn parse(path: &str) -> Self {
        let path = path.trim_end_matches('/');
        match path {
            "/leads" => Self::Leads,
            "/chats" => Self::Chats,
            "/services" => Self::Services,
            "/widget" => Self::Widget,
            "/tokens" => Self::Tokens,
            "/settings" => Self::Settings,
            "/plan" => Self::Plan,
            _ => match path.strip_prefix("/leads/") {
                Some(id) if !id.is_empty() => Self::Lead(id.to_owned()),
                _ => Self::Dashboard,
            },
        }
    }

    pub fn path(&self) -> String {
        match self {
            Self::Dashboard => "/".into(),
            Self::Leads => "/leads".into(),
            Self::Lead(id) => format!("/leads/{id}"),
            Self::Chats => "/chats".into(),
            Self::Services => "/services".into(),
            Self::Widget => "/widget".into(),
            Self::Tokens => "/tokens".into(),
            Self::Settings => "/settings".into(),
            Self::Plan => "/plan".into(),
        }
    }
}
