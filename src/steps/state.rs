//! Room in the World for steps a user's crate adds: one value per type.
//!
//! A crate that adds its own steps to the library keeps what they share
//! here (`w.state.get_or_default::<MyCounters>()`), instead of a static.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;

/// Values of any type, at most one per type.
#[derive(Default)]
pub struct State {
    values: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
}

impl State {
    /// The value of type `T`, created with `T::default()` on first use.
    pub fn get_or_default<T: Any + Send + Sync + Default>(&mut self) -> &mut T {
        self.values
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Box::new(T::default()))
            .downcast_mut::<T>()
            .unwrap_or_else(|| unreachable!("a value is stored under its own type id"))
    }

    /// The value of type `T`, if one was stored.
    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.values.get(&TypeId::of::<T>())?.downcast_ref::<T>()
    }

    /// Stores `value`, returning the one it replaces.
    pub fn insert<T: Any + Send + Sync>(&mut self, value: T) -> Option<T> {
        self.values
            .insert(TypeId::of::<T>(), Box::new(value))
            .and_then(|old| old.downcast::<T>().ok())
            .map(|b| *b)
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "State({} values)", self.values.len())
    }
}

#[cfg(test)]
mod tests {
    use super::State;

    #[derive(Default, Debug, PartialEq)]
    struct Count(u32);

    #[test]
    fn one_value_per_type_created_on_first_use() {
        let mut s = State::default();
        assert_eq!(s.get::<Count>(), None);
        s.get_or_default::<Count>().0 += 2;
        s.get_or_default::<Count>().0 += 1;
        assert_eq!(s.get::<Count>(), Some(&Count(3)));
        assert_eq!(s.insert(Count(7)), Some(Count(3)));
    }
}
