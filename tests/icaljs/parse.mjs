// Parse an .ics file with ical.js and print its events as JSON, for the test suite.
// Each event's instant (`utc`, seconds since the epoch) is computed from the calendar's own
// VTIMEZONE components, as Thunderbird and the web calendars built on ical.js do.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const root = new ICAL.Component(ICAL.parse(text));
for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}
const events = root.getAllSubcomponents("vevent").map((c) => {
  const event = new ICAL.Event(c);
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    start: event.startDate.toString(),
    end: event.endDate.toString(),
    allDay: event.startDate.isDate,
    utc: event.startDate.isDate ? null : event.startDate.toUnixTime(),
    utcEnd: event.endDate.isDate ? null : event.endDate.toUnixTime(),
    sequence: event.sequence,
    timezone: event.startDate.zone ? event.startDate.zone.tzid : null,
  };
});
process.stdout.write(JSON.stringify({ name: root.getFirstPropertyValue("x-wr-calname"), events }));
