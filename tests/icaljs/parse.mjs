// Parse an .ics file with ical.js and print its events as JSON, for the test suite.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const root = new ICAL.Component(ICAL.parse(text));
const events = root.getAllSubcomponents("vevent").map((c) => {
  const event = new ICAL.Event(c);
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    start: event.startDate.toString(),
    end: event.endDate.toString(),
    allDay: event.startDate.isDate,
    sequence: event.sequence,
    timezone: event.startDate.zone ? event.startDate.zone.tzid : null,
  };
});
process.stdout.write(JSON.stringify({ name: root.getFirstPropertyValue("x-wr-calname"), events }));
