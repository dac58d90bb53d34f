//! Durations in words, for transcripts and diagnoses: `9 hours`, `1.25 s`.

use std::time::Duration;

/// A duration in the largest whole unit: `9 hours`, `11 minutes`, `1 day`,
/// else as [`human`] writes it.
pub fn spoken(d: Duration) -> String {
    let ms = d.as_millis();
    let units = [
        (86_400_000, "day"),
        (3_600_000, "hour"),
        (60_000, "minute"),
        (1_000, "second"),
    ];
    for (size, name) in units {
        if ms >= size && ms.is_multiple_of(size) {
            let n = ms / size;
            return format!("{n} {name}{}", if n == 1 { "" } else { "s" });
        }
    }
    human(d)
}

/// `2 s`, `1.25 s`, `350 ms`.
pub fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else if ms >= 1000 {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{ms} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_read_the_way_people_say_them() {
        assert_eq!(human(Duration::from_secs(2)), "2 s");
        assert_eq!(human(Duration::from_millis(1_250)), "1.25 s");
        assert_eq!(human(Duration::from_millis(350)), "350 ms");
        assert_eq!(spoken(Duration::from_secs(9 * 3600)), "9 hours");
        assert_eq!(spoken(Duration::from_secs(660)), "11 minutes");
        assert_eq!(spoken(Duration::from_secs(86_400)), "1 day");
        assert_eq!(spoken(Duration::from_secs(1)), "1 second");
        assert_eq!(spoken(Duration::from_millis(1_500)), "1.50 s");
    }
}
