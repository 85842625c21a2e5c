//! A counter that makes a page load its data again.

use std::rc::Rc;

use yew::prelude::*;

/// Bumped to load again; effects depend on its number. A reducer, not a `use_state`: a
/// long-lived callback (a live subscription's) that bumped a captured `use_state` would count
/// from the value it saw when it was made, and the second bump would change nothing.
#[derive(PartialEq, Default)]
pub struct Reload(pub u32);

impl Reducible for Reload {
    type Action = ();

    fn reduce(self: Rc<Self>, (): ()) -> Rc<Self> {
        Rc::new(Self(self.0.wrapping_add(1)))
    }
}

#[hook]
pub fn use_reload() -> UseReducerHandle<Reload> {
    use_reducer(Reload::default)
}
