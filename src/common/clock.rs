//! The virtual clock every part of a stack reads.
//!
//! Token expiry, authorization-code TTLs, webhook timestamps and retry delays
//! all follow this clock, so a scenario can say "two hours pass" and take no
//! time at all. In a scenario the clock starts at a fixed instant, which keeps
//! every timestamp in a transcript the same from run to run. `serve` starts it
//! at the real time and lets it run, with steps still able to jump it forward.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 2025-01-01T00:00:00.000Z, the instant every scenario starts at.
pub const SCENARIO_EPOCH_MS: i64 = 1_735_689_600_000;

/// The latest instant the clock reaches, 9999-12-31T23:59:59.999Z: four-digit
/// years are what ISO-8601 timestamps, and the WorkOS SDKs parsing them, can
/// hold. Advances past it stop there; the clock never wraps.
pub const MAX_MS: i64 = 253_402_300_799_999;

/// A shared, cheaply cloned clock in milliseconds since the Unix epoch.
#[derive(Debug, Clone)]
pub struct Clock {
    inner: Arc<ClockInner>,
}

#[derive(Debug)]
struct ClockInner {
    /// `false`: frozen at `offset_ms`; `true`: real time plus `offset_ms`.
    realtime: bool,
    offset_ms: AtomicI64,
}

/// An advance the clock cannot make.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the clock cannot move {requested_ms} ms forward: it is {now}, and it stops at 9999-12-31T23:59:59.999Z (at most {room_ms} ms from now)"
)]
pub struct PastTheEnd {
    /// What was asked, in milliseconds.
    pub requested_ms: u128,
    /// Room left, in milliseconds.
    pub room_ms: i64,
    /// The time now.
    pub now: String,
}

impl Clock {
    /// A frozen clock at `start_ms`; it only moves when [`Clock::advance`] is called.
    pub fn frozen(start_ms: i64) -> Self {
        Clock {
            inner: Arc::new(ClockInner {
                realtime: false,
                offset_ms: AtomicI64::new(start_ms.clamp(0, MAX_MS)),
            }),
        }
    }

    /// A frozen clock at `SCENARIO_EPOCH_MS`.
    pub fn scenario() -> Self {
        Self::frozen(SCENARIO_EPOCH_MS)
    }

    /// Real time, shifted by whatever [`Clock::advance`] adds.
    pub fn realtime() -> Self {
        Clock {
            inner: Arc::new(ClockInner {
                realtime: true,
                offset_ms: AtomicI64::new(0),
            }),
        }
    }

    /// Whether this clock follows real time (`serve`), rather than moving
    /// only when told (scenarios).
    pub fn is_realtime(&self) -> bool {
        self.inner.realtime
    }

    fn real_ms(&self) -> i64 {
        if !self.inner.realtime {
            return 0;
        }
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(MAX_MS))
            .unwrap_or(0)
    }

    /// Milliseconds since the Unix epoch, never past `MAX_MS`.
    pub fn now_ms(&self) -> i64 {
        let offset = self.inner.offset_ms.load(Ordering::SeqCst);
        self.real_ms().saturating_add(offset).min(MAX_MS)
    }

    /// The time an app outside the harness reads on its own clock: real time
    /// for a real-time clock (whatever [`Clock::advance`] added is left out),
    /// the virtual time for a frozen one. Webhook signatures carry it, so an
    /// app's SDK verifier (which compares against its real clock) accepts
    /// deliveries however far a test moved the mock's clock.
    pub fn observer_ms(&self) -> i64 {
        if self.inner.realtime {
            self.real_ms()
        } else {
            self.now_ms()
        }
    }

    /// Seconds since the Unix epoch.
    pub fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// How far the clock can still move, in milliseconds.
    pub fn room_ms(&self) -> i64 {
        MAX_MS - self.now_ms()
    }

    /// Moves the clock forward by `by`, or refuses (moving nothing) when that
    /// would pass `MAX_MS` (9999-12-31).
    pub fn try_advance(&self, by: Duration) -> Result<(), PastTheEnd> {
        let requested = by.as_millis();
        let room = self.room_ms();
        if requested > u128::try_from(room).unwrap_or(0) {
            return Err(PastTheEnd {
                requested_ms: requested,
                room_ms: room,
                now: self.now_iso(),
            });
        }
        self.advance(by);
        Ok(())
    }

    /// Moves the clock forward; an advance past `MAX_MS` stops there.
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(MAX_MS);
        let real = self.real_ms();
        let _ = self
            .inner
            .offset_ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |offset| {
                Some(offset.saturating_add(ms).min(MAX_MS.saturating_sub(real)))
            });
    }

    /// The current time as WorkOS writes it: `2025-01-01T00:00:00.000Z`.
    pub fn now_iso(&self) -> String {
        iso8601(self.now_ms())
    }
}

const ISO_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
);

/// Formats epoch milliseconds as ISO-8601 UTC with milliseconds and `Z`
/// (instants outside years 0000-9999 are written as the nearest end).
pub fn iso8601(ms: i64) -> String {
    let clamped = ms.clamp(MIN_MS, MAX_MS);
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(clamped) * 1_000_000)
        .ok()
        .and_then(|t| t.format(ISO_FORMAT).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".to_string())
}

/// 0000-01-01T00:00:00.000Z, the earliest instant written with four digits.
const MIN_MS: i64 = -62_167_219_200_000;

/// Parses the RFC 3339 timestamps WorkOS and its SDKs send (`Z` or
/// `+00:00`, optional fraction; a missing offset is read as UTC) back to
/// epoch milliseconds. Impossible dates (`2025-02-31`) are refused.
pub fn parse_iso8601(text: &str) -> Option<i64> {
    let t = text.trim();
    let (_, time_part) = t.split_once(['T', 't'])?;
    let has_offset = time_part.ends_with(['Z', 'z']) || time_part.contains(['+', '-']);
    let parsed = if has_offset {
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
    } else {
        time::OffsetDateTime::parse(
            &format!("{t}Z"),
            &time::format_description::well_known::Rfc3339,
        )
    }
    .ok()?;
    i64::try_from(parsed.unix_timestamp_nanos().div_euclid(1_000_000)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_observer_reads_real_time_however_far_the_clock_moved() {
        let c = Clock::realtime();
        c.advance(Duration::from_secs(7200));
        let gap = c.now_ms() - c.observer_ms();
        assert!((7_199_000..=7_200_000).contains(&gap), "{gap}");
        let f = Clock::frozen(5);
        f.advance(Duration::from_millis(10));
        assert_eq!(f.observer_ms(), 15);
    }

    #[test]
    fn scenario_clock_starts_at_new_year_2025() {
        assert_eq!(Clock::scenario().now_iso(), "2025-01-01T00:00:00.000Z");
    }

    #[test]
    fn advancing_moves_a_frozen_clock_exactly() {
        let c = Clock::scenario();
        c.advance(Duration::from_secs(3600 + 1));
        assert_eq!(c.now_iso(), "2025-01-01T01:00:01.000Z");
    }

    #[test]
    fn iso_round_trips_through_parse() {
        for ms in [0, SCENARIO_EPOCH_MS, 951_782_400_123, 4_102_444_800_999] {
            assert_eq!(parse_iso8601(&iso8601(ms)), Some(ms));
        }
    }

    #[test]
    fn parse_accepts_offsets_and_missing_fraction() {
        assert_eq!(
            parse_iso8601("2025-01-01T01:00:00+01:00"),
            Some(SCENARIO_EPOCH_MS)
        );
        assert_eq!(
            parse_iso8601("2025-01-01T00:00:00Z"),
            Some(SCENARIO_EPOCH_MS)
        );
        assert_eq!(parse_iso8601("yesterday"), None);
        assert_eq!(parse_iso8601("2025-13-01T00:00:00Z"), None);
        assert_eq!(parse_iso8601("2025-02-31T00:00:00Z"), None);
        assert_eq!(
            parse_iso8601("2024-02-29T00:00:00Z")
                .map(iso8601)
                .as_deref(),
            Some("2024-02-29T00:00:00.000Z")
        );
        assert_eq!(
            parse_iso8601("2025-01-01T00:00:00.5Z"),
            Some(SCENARIO_EPOCH_MS + 500)
        );
        assert_eq!(
            parse_iso8601("2025-01-01T00:00:00"),
            Some(SCENARIO_EPOCH_MS)
        );
    }

    #[test]
    fn the_clock_stops_at_the_last_four_digit_year_and_never_wraps() {
        let c = Clock::scenario();
        c.advance(Duration::from_millis(u64::MAX));
        assert_eq!(c.now_ms(), MAX_MS);
        assert_eq!(c.now_iso(), "9999-12-31T23:59:59.999Z");
        c.advance(Duration::from_millis(u64::MAX));
        assert_eq!(c.now_ms(), MAX_MS, "a second huge step does not wrap");
        let r = Clock::realtime();
        let err = r
            .try_advance(Duration::from_millis(u64::MAX))
            .expect_err("refused");
        assert!(err.to_string().contains("9999-12-31"), "{err}");
        assert!(r.now_ms() < MAX_MS, "a refused advance moves nothing");
        r.advance(Duration::from_millis(u64::MAX));
        assert_eq!(r.now_ms(), MAX_MS);
    }
}
