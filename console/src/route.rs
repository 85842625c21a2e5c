//! The console's pages and their paths, in one place. The server answers every path that is
//! not its own with the console's page, so an address typed or bookmarked opens here; a path
//! the console does not know shows the dashboard. The links in e-mails open the pages below
//! `/team` (their `?token=` is read by the page).

use yew_router::Routable;

#[derive(Clone, Debug, PartialEq, Routable)]
pub enum Route {
    #[at("/")]
    #[not_found]
    Dashboard,
    #[at("/leads")]
    Leads,
    #[at("/leads/:id")]
    Lead { id: String },
    #[at("/chats")]
    Chats,
    #[at("/services")]
    Services,
    #[at("/widget")]
    Widget,
    #[at("/tokens")]
    Tokens,
    #[at("/webhooks")]
    Webhooks,
    #[at("/settings")]
    Settings,
    #[at("/plan")]
    Plan,
    #[at("/team")]
    Team,
    /// Asks for a password reset link (signed out).
    #[at("/forgot-password")]
    ForgotPassword,
    /// The link of a password reset e-mail: `?token=…`.
    #[at("/reset-password")]
    ResetPassword,
    /// The link that confirms an address: `?token=…` (signed in or out).
    #[at("/verify-email")]
    VerifyEmail,
    /// The link of an invitation into a workshop's team: `?token=…`.
    #[at("/invitation")]
    Invitation,
}

#[cfg(test)]
mod tests {
    use yew_router::Routable;

    use super::Route;

    #[test]
    fn every_page_keeps_its_address() {
        let pages = [
            (Route::Dashboard, "/"),
            (Route::Leads, "/leads"),
            (
                Route::Lead {
                    id: "TGVhZDoxMjM".into(),
                },
                "/leads/TGVhZDoxMjM",
            ),
            (Route::Chats, "/chats"),
            (Route::Services, "/services"),
            (Route::Widget, "/widget"),
            (Route::Tokens, "/tokens"),
            (Route::Webhooks, "/webhooks"),
            (Route::Settings, "/settings"),
            (Route::Plan, "/plan"),
            (Route::Team, "/team"),
            (Route::ForgotPassword, "/forgot-password"),
            (Route::ResetPassword, "/reset-password"),
            (Route::VerifyEmail, "/verify-email"),
            (Route::Invitation, "/invitation"),
        ];
        for (route, path) in pages {
            assert_eq!(route.to_path(), path);
            assert_eq!(Route::recognize(path), Some(route));
        }
    }

    #[test]
    fn an_address_with_a_trailing_slash_or_an_unknown_one_still_opens_a_page() {
        assert_eq!(Route::recognize("/leads/"), Some(Route::Leads));
        assert_eq!(Route::recognize("/plan/"), Some(Route::Plan));
        assert_eq!(Route::recognize("/nowhere"), Some(Route::Dashboard));
    }

    #[test]
    fn the_links_in_e_mails_open_their_pages() {
        // The server writes these paths into its e-mails (the token follows as `?token=`).
        assert_eq!(Route::recognize("/verify-email"), Some(Route::VerifyEmail));
        assert_eq!(
            Route::recognize("/reset-password"),
            Some(Route::ResetPassword)
        );
        assert_eq!(Route::recognize("/invitation"), Some(Route::Invitation));
    }
}
