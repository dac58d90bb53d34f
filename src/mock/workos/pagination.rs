//! Cursor pagination as WorkOS lists do it: `limit` (1-100, default 10),
//! `before` / `after` object ids, `order` `desc` (default), `asc`, or
//! `normal` (newest first, with the cursors' meaning reversed: `before`
//! fetches older records and `after` newer ones).
//!
//! `list_metadata.after` holds the last id of the page when more records
//! follow it, `before` the first id when records precede it (for `normal`,
//! the other way round, so each cursor keeps its documented meaning). A
//! cursor naming no record of the list is answered with 422.

use super::errors::ApiError;
use super::extract::QueryParams;

/// One page: the items, and the cursors for the neighbouring pages.
#[derive(Debug)]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// `list_metadata.before`.
    pub before: Option<String>,
    /// `list_metadata.after`.
    pub after: Option<String>,
}

/// Reads `limit` (1-100, default 10).
pub fn limit(q: &QueryParams) -> Result<usize, ApiError> {
    match q.get("limit") {
        None => Ok(10),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid_field(
                "limit",
                "invalid",
                format!("limit must be an integer between 1 and 100; got '{text}'."),
            )),
        },
    }
}

/// Pages `oldest_first` (items in creation order with their ids) as `q` asks.
pub fn paginate<T>(oldest_first: Vec<(String, T)>, q: &QueryParams) -> Result<Page<T>, ApiError> {
    let limit = limit(q)?;
    let order = q
        .one_of("order", &["asc", "desc", "normal"])?
        .unwrap_or_else(|| "desc".to_string());
    let mut items = oldest_first;
    if order != "asc" {
        items.reverse();
    }
    // For `normal`, `before` means "older", which in newest-first order is
    // what `after` means for `desc`.
    let (fwd, back) = if order == "normal" {
        (q.get("before"), q.get("after"))
    } else {
        (q.get("after"), q.get("before"))
    };
    let position = |cursor: &str, name: &str| {
        items
            .iter()
            .position(|(id, _)| id == cursor)
            .ok_or_else(|| {
                ApiError::invalid_field(
                    name,
                    "invalid",
                    format!("{name} must be the id of an object in this list; got '{cursor}'."),
                )
            })
    };
    let fwd_name = if order == "normal" { "before" } else { "after" };
    let back_name = if order == "normal" { "after" } else { "before" };
    let (start, end) = match (fwd, back) {
        (Some(c), _) => {
            let start = position(c, fwd_name)? + 1;
            (start, (start + limit).min(items.len()))
        }
        (None, Some(c)) => {
            let end = position(c, back_name)?;
            (end.saturating_sub(limit), end)
        }
        (None, None) => (0, limit.min(items.len())),
    };
    let more_after = end < items.len();
    let more_before = start > 0;
    let first = items.get(start).map(|(id, _)| id.clone());
    let last = end
        .checked_sub(1)
        .and_then(|i| items.get(i))
        .map(|(id, _)| id.clone());
    let page: Vec<T> = items
        .into_iter()
        .skip(start)
        .take(end.saturating_sub(start))
        .map(|(_, t)| t)
        .collect();
    let (next, prev) = (
        if more_after && !page.is_empty() {
            last
        } else {
            None
        },
        if more_before && !page.is_empty() {
            first
        } else {
            None
        },
    );
    let (before, after) = if order == "normal" {
        (next, prev)
    } else {
        (prev, next)
    };
    Ok(Page {
        items: page,
        before,
        after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> QueryParams {
        QueryParams(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        )
    }

    fn ids(n: usize) -> Vec<(String, usize)> {
        (1..=n).map(|i| (format!("x_{i}"), i)).collect()
    }

    #[test]
    fn desc_pages_newest_first_and_after_walks_older() {
        let p = paginate(ids(5), &q(&[("limit", "2")])).expect("page");
        assert_eq!(p.items, vec![5, 4]);
        assert_eq!(p.after.as_deref(), Some("x_4"));
        assert_eq!(p.before, None);
        let p = paginate(ids(5), &q(&[("limit", "2"), ("after", "x_4")])).expect("page");
        assert_eq!(p.items, vec![3, 2]);
        assert_eq!(p.before.as_deref(), Some("x_3"));
        let p = paginate(ids(5), &q(&[("limit", "2"), ("after", "x_2")])).expect("page");
        assert_eq!(p.items, vec![1]);
        assert_eq!(p.after, None);
    }

    #[test]
    fn before_walks_back_towards_the_start() {
        let p = paginate(ids(5), &q(&[("limit", "2"), ("before", "x_2")])).expect("page");
        assert_eq!(p.items, vec![4, 3]);
        assert_eq!(p.before.as_deref(), Some("x_4"));
    }

    #[test]
    fn asc_pages_oldest_first() {
        let p = paginate(ids(3), &q(&[("order", "asc"), ("limit", "2")])).expect("page");
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(p.after.as_deref(), Some("x_2"));
    }

    #[test]
    fn normal_reverses_the_cursors() {
        let p = paginate(ids(5), &q(&[("order", "normal"), ("limit", "2")])).expect("page");
        assert_eq!(p.items, vec![5, 4]);
        assert_eq!(p.before.as_deref(), Some("x_4"));
        let p = paginate(
            ids(5),
            &q(&[("order", "normal"), ("limit", "2"), ("before", "x_4")]),
        )
        .expect("page");
        assert_eq!(p.items, vec![3, 2]);
    }

    #[test]
    fn bad_limits_orders_and_cursors_are_422() {
        for bad in [
            q(&[("limit", "0")]),
            q(&[("limit", "101")]),
            q(&[("limit", "ten")]),
            q(&[("order", "sideways")]),
            q(&[("after", "x_99")]),
        ] {
            let err = paginate(ids(3), &bad).expect_err("rejected");
            assert_eq!(err.status.as_u16(), 422);
        }
    }
}
