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

/// A shared, cheaply cloned clock in milliseconds since the Unix epoch.
#[derive(Debug, Clone)]
pub struct Clock {
    inner: Arc<ClockInner>,
}

#[derive(Debug)]
struct ClockInner {
    /// `None`: frozen at `offset_ms`; `Some(start)`: real time plus `offset_ms`.
    realtime: bool,
    offset_ms: AtomicI64,
}

impl Clock {
    /// A frozen clock at `start_ms`; it only moves when [`Clock::advance`] is called.
    pub fn frozen(start_ms: i64) -> Self {
        Clock {
            inner: Arc::new(ClockInner {
                realtime: false,
                offset_ms: AtomicI64::new(start_ms),
            }),
        }
    }

    /// A frozen clock at [`SCENARIO_EPOCH_MS`].
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

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        let offset = self.inner.offset_ms.load(Ordering::SeqCst);
        if self.inner.realtime {
            let real = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                .unwrap_or(0);
            real.saturating_add(offset)
        } else {
            offset
        }
    }

    /// Seconds since the Unix epoch.
    pub fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// The time an app outside the harness reads on its own clock: real time
    /// for a real-time clock (whatever [`Clock::advance`] added is left out),
    /// the virtual time for a frozen one. Webhook signatures carry it, so an
    /// app's SDK verifier (which compares against its real clock) accepts
    /// deliveries however far a test moved the mock's clock.
    pub fn observer_ms(&self) -> i64 {
        if self.inner.realtime {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                .unwrap_or(0)
        } else {
            self.now_ms()
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.inner.offset_ms.fetch_add(ms, Ordering::SeqCst);
    }

    /// The current time as WorkOS writes it: `2025-01-01T00:00:00.000Z`.
    pub fn now_iso(&self) -> String {
        iso8601(self.now_ms())
    }
}

/// Formats epoch milliseconds as ISO-8601 UTC with milliseconds and `Z`.
pub fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        sod / 3600,
        (sod % 3600) / 60,
        sod % 60
    )
}

/// Parses the ISO-8601 forms WorkOS and its SDKs send (`Z` or `+00:00`,
/// optional fraction) back to epoch milliseconds.
pub fn parse_iso8601(text: &str) -> Option<i64> {
    let t = text.trim();
    let (date, rest) = t.split_once('T')?;
    let mut dp = date.split('-');
    let y: i64 = dp.next()?.parse().ok()?;
    let m: i64 = dp.next()?.parse().ok()?;
    let d: i64 = dp.next()?.parse().ok()?;
    if dp.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let (time, offset_ms) = if let Some(t) = rest.strip_suffix('Z') {
        (t, 0)
    } else if let Some(idx) = rest.rfind(['+', '-']) {
        let (t, off) = rest.split_at(idx);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off[1..].split_once(':')?;
        let oh: i64 = oh.parse().ok()?;
        let om: i64 = om.parse().ok()?;
        (t, sign * (oh * 3600 + om * 60) * 1000)
    } else {
        (rest, 0)
    };
    let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
    let mut tp = hms.split(':');
    let hh: i64 = tp.next()?.parse().ok()?;
    let mm: i64 = tp.next()?.parse().ok()?;
    let ss: i64 = tp.next()?.parse().ok()?;
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let frac_ms: i64 = if frac.is_empty() {
        0
    } else {
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let padded = format!("{:0<3}", &frac[..frac.len().min(3)]);
        padded.parse().ok()?
    };
    let days = days_from_civil(y, m, d);
    Some((days * 86_400 + hh * 3600 + mm * 60 + ss) * 1000 + frac_ms - offset_ms)
}

// Howard Hinnant's civil calendar algorithms: exact for the proleptic
// Gregorian calendar, and free of any date crate.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
    }
}
