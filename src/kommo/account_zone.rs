//! The account's time zone and the conversions Kommo's dates need (docs/kommo-data.md):
//! Kommo stores a `date` or `birthday` as midnight of the day *in the account's zone*, and
//! every other time as Unix seconds. All calendar work goes through jiff's time-zone
//! database, never through fixed offsets, so daylight saving and odd offsets come out right.

use jiff::{
    Timestamp,
    civil::{Date, DateTime, Time},
    tz::TimeZone,
};

/// A time zone of a Kommo account, with the IANA name it is known by.
#[derive(Clone, Debug)]
pub(crate) struct AccountZone {
    zone: TimeZone,
    name: String,
}

/// A date or time as an agent writes it, before the account's zone is known.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum DateInput {
    /// `2024-06-06`: a calendar day.
    Day(Date),
    /// `2024-06-06T10:00:00` (no offset): a wall-clock time in the account's zone.
    Local(DateTime),
    /// `2024-06-06T10:00:00-03:00`, `…Z`, or Unix seconds: one instant.
    Instant(Timestamp),
}

impl AccountZone {
    /// The zone Kommo names (an IANA name such as `America/Argentina/Buenos_Aires`), or
    /// `None` when the bundled time-zone database does not know it.
    pub(crate) fn named(name: &str) -> Option<AccountZone> {
        let zone = TimeZone::get(name.trim()).ok()?;
        Some(AccountZone {
            zone,
            name: name.trim().to_owned(),
        })
    }

    /// UTC: the fallback when the account's zone cannot be read.
    pub(crate) fn utc() -> AccountZone {
        AccountZone {
            zone: TimeZone::UTC,
            name: "UTC".to_owned(),
        }
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The calendar day `seconds` falls on in this zone.
    pub(crate) fn day_of(&self, seconds: i64) -> Option<Date> {
        let instant = Timestamp::from_second(seconds).ok()?;
        Some(self.zone.to_datetime(instant).date())
    }

    /// `1717642800` → `2024-06-06` in a UTC−3 account.
    pub(crate) fn show_day(&self, seconds: i64) -> Option<String> {
        self.day_of(seconds).map(|day| day.to_string())
    }

    /// `1717686000` → `2024-06-06T12:00:00-03:00`: ISO 8601 with the offset the zone had
    /// at that instant.
    pub(crate) fn show_instant(&self, seconds: i64) -> Option<String> {
        let instant = Timestamp::from_second(seconds).ok()?;
        let zoned = instant.to_zoned_datetime(self.zone.clone());
        Some(zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
    }

    /// The first instant of `day` in this zone (midnight, or the end of a daylight-saving
    /// gap on a day that starts without one) as Unix seconds.
    pub(crate) fn start_of(&self, day: Date) -> Option<i64> {
        self.local_seconds(day.to_datetime(Time::midnight()))
    }

    /// Unix seconds of a wall-clock time in this zone (a time a daylight-saving change
    /// skips is moved forward by the gap; a repeated one is its first occurrence).
    pub(crate) fn local_seconds(&self, local: DateTime) -> Option<i64> {
        self.zone.to_timestamp(local).ok().map(Timestamp::as_second)
    }

    /// What a `date` or `birthday` field stores for `input`: the start of its day here.
    pub(crate) fn day_seconds(&self, input: &DateInput) -> Option<i64> {
        let day = match input {
            DateInput::Day(day) => *day,
            DateInput::Local(local) => local.date(),
            DateInput::Instant(instant) => self.zone.to_datetime(*instant).date(),
        };
        self.start_of(day)
    }

    /// What a `date_time` field stores for `input`.
    pub(crate) fn moment_seconds(&self, input: &DateInput) -> Option<i64> {
        match input {
            DateInput::Day(day) => self.start_of(*day),
            DateInput::Local(local) => self.local_seconds(*local),
            DateInput::Instant(instant) => Some(instant.as_second()),
        }
    }
}

impl DateInput {
    /// Reads `2024-06-06`, `2024-06-06T10:00[:00[.fff]]` (a space may stand for `T`), the
    /// same with `Z` or an offset, or Unix seconds (digits only).
    pub(crate) fn parse(text: &str) -> Option<DateInput> {
        let text = text.trim();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return Self::seconds(text.parse().ok()?);
        }
        if text.len() == 10 {
            return text.parse::<Date>().ok().map(DateInput::Day);
        }
        let has_offset = text.ends_with(['Z', 'z'])
            || text.get(10..).is_some_and(|time| time.contains(['+', '-']));
        if has_offset {
            text.parse::<Timestamp>().ok().map(DateInput::Instant)
        } else {
            text.parse::<DateTime>().ok().map(DateInput::Local)
        }
    }

    /// Unix seconds as an instant.
    pub(crate) fn seconds(seconds: i64) -> Option<DateInput> {
        Timestamp::from_second(seconds).ok().map(DateInput::Instant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn zone(name: &str) -> AccountZone {
        AccountZone::named(name).unwrap()
    }

    #[test]
    fn a_date_is_local_midnight_of_the_account_zone() {
        let buenos_aires = zone("America/Argentina/Buenos_Aires");
        let day = DateInput::parse("2024-06-06").unwrap();
        assert_eq!(buenos_aires.day_seconds(&day), Some(1_717_642_800));
        assert_eq!(AccountZone::utc().day_seconds(&day), Some(1_717_632_000));
        assert_eq!(
            zone("Europe/Moscow").day_seconds(&day),
            Some(1_717_632_000 - 3 * 3600)
        );
        assert_eq!(
            zone("Asia/Kathmandu").day_seconds(&day),
            Some(1_717_632_000 - 5 * 3600 - 45 * 60)
        );
    }

    #[test]
    fn stored_seconds_show_the_day_of_the_account_zone() {
        let buenos_aires = zone("America/Argentina/Buenos_Aires");
        assert_eq!(
            buenos_aires.show_day(1_717_642_800).as_deref(),
            Some("2024-06-06")
        );
        // The same instant is still 5 June one second earlier in Buenos Aires, already
        // 6 June in UTC.
        assert_eq!(
            buenos_aires.show_day(1_717_642_799).as_deref(),
            Some("2024-06-05")
        );
        assert_eq!(
            AccountZone::utc().show_day(1_717_642_799).as_deref(),
            Some("2024-06-06")
        );
        // Kathmandu (+05:45): 23:59 on 5 June is 18:14 UTC.
        let kathmandu = zone("Asia/Kathmandu");
        let late = kathmandu
            .local_seconds(date(2024, 6, 5).at(23, 59, 0, 0))
            .unwrap();
        assert_eq!(late, 1_717_632_000 - 5 * 3600 - 45 * 60 - 60);
        assert_eq!(kathmandu.show_day(late).as_deref(), Some("2024-06-05"));
        assert_eq!(kathmandu.show_day(late + 60).as_deref(), Some("2024-06-06"));
        assert_eq!(
            kathmandu.show_instant(late).as_deref(),
            Some("2024-06-05T23:59:00+05:45")
        );
        // Moscow (+03:00): midnight local is 21:00 UTC the day before.
        let moscow = zone("Europe/Moscow");
        assert_eq!(
            moscow.show_instant(1_717_621_200).as_deref(),
            Some("2024-06-06T00:00:00+03:00")
        );
    }

    #[test]
    fn daylight_saving_changes_the_offset_shown_and_written() {
        let madrid = zone("Europe/Madrid");
        // 31 March 2024: clocks go from 02:00 to 03:00 (+01:00 → +02:00).
        let before = madrid.start_of(date(2024, 3, 31)).unwrap();
        let after = madrid.start_of(date(2024, 4, 1)).unwrap();
        assert_eq!(after - before, 23 * 3600, "a 23-hour day");
        assert_eq!(
            madrid.show_instant(before).as_deref(),
            Some("2024-03-31T00:00:00+01:00")
        );
        assert_eq!(
            madrid.show_instant(after).as_deref(),
            Some("2024-04-01T00:00:00+02:00")
        );
        // 02:30 does not exist that night: it is moved forward to 03:30 (+02:00).
        let skipped = madrid
            .local_seconds(date(2024, 3, 31).at(2, 30, 0, 0))
            .unwrap();
        assert_eq!(
            madrid.show_instant(skipped).as_deref(),
            Some("2024-03-31T03:30:00+02:00")
        );

        // Santiago changes at midnight: on 8 September 2024 the day starts at 01:00.
        let santiago = zone("America/Santiago");
        let start = santiago.start_of(date(2024, 9, 8)).unwrap();
        assert_eq!(
            santiago.show_instant(start).as_deref(),
            Some("2024-09-08T01:00:00-03:00")
        );
        assert_eq!(santiago.show_day(start).as_deref(), Some("2024-09-08"));
        assert_eq!(santiago.show_day(start - 1).as_deref(), Some("2024-09-07"));
        // …and on 6 April 2024 the clocks went from 24:00 back to 23:00 (−03:00 → −04:00):
        // that day had 25 hours, and 7 April starts at midnight −04:00.
        let autumn = santiago.start_of(date(2024, 4, 7)).unwrap();
        let day_before = santiago.start_of(date(2024, 4, 6)).unwrap();
        assert_eq!(autumn - day_before, 25 * 3600);
        assert_eq!(santiago.show_day(autumn).as_deref(), Some("2024-04-07"));
        assert_eq!(santiago.show_day(autumn - 1).as_deref(), Some("2024-04-06"));
        assert_eq!(
            santiago.show_instant(autumn).as_deref(),
            Some("2024-04-07T00:00:00-04:00")
        );
        // 23:30 on 6 April happened twice; a wall-clock time means the first one.
        let twice = santiago
            .local_seconds(date(2024, 4, 6).at(23, 30, 0, 0))
            .unwrap();
        assert_eq!(
            santiago.show_instant(twice).as_deref(),
            Some("2024-04-06T23:30:00-03:00")
        );
    }

    #[test]
    fn date_times_without_an_offset_are_read_in_the_account_zone() {
        let buenos_aires = zone("America/Argentina/Buenos_Aires");
        let local = DateInput::parse("2024-06-06T10:00:00").unwrap();
        assert_eq!(buenos_aires.moment_seconds(&local), Some(1_717_678_800));
        let spaced = DateInput::parse("2024-06-06 10:00").unwrap();
        assert_eq!(buenos_aires.moment_seconds(&spaced), Some(1_717_678_800));
        let offset = DateInput::parse("2024-06-06T10:00:00+03:00").unwrap();
        assert_eq!(buenos_aires.moment_seconds(&offset), Some(1_717_657_200));
        let zulu = DateInput::parse("2024-06-06T13:00:00Z").unwrap();
        assert_eq!(buenos_aires.moment_seconds(&zulu), Some(1_717_678_800));
        let seconds = DateInput::parse("1717678800").unwrap();
        assert_eq!(buenos_aires.moment_seconds(&seconds), Some(1_717_678_800));
        // a date field keeps only the day, in the account's zone
        assert_eq!(buenos_aires.day_seconds(&offset), Some(1_717_642_800));
        assert_eq!(
            buenos_aires.day_seconds(&DateInput::parse("2024-06-07T01:00:00Z").unwrap()),
            Some(1_717_642_800),
            "22:00 on 6 June in Buenos Aires"
        );
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        for bad in [
            "",
            "tomorrow",
            "2024-13-01",
            "2024-02-30",
            "06/06/2024",
            "2024-06-06T25:00",
        ] {
            assert_eq!(DateInput::parse(bad), None, "{bad}");
        }
        assert_eq!(
            AccountZone::named("Mars/Olympus_Mons").map(|z| z.name),
            None
        );
        assert_eq!(zone(" Europe/Moscow ").name(), "Europe/Moscow");
    }
}
