//! The event sink of one run: each event becomes the commit status it
//! means, and the run's end a notification where one is due.

use super::{status, ReportedRun, Reporter};
use crate::report::events::{EventSink, RunEvent};

pub struct RunSink {
    reporter: Reporter,
    run: ReportedRun,
}

impl RunSink {
    pub fn new(reporter: Reporter, run: ReportedRun) -> RunSink {
        RunSink { reporter, run }
    }
}

impl EventSink for RunSink {
    fn emit(&self, event: &RunEvent) {
        if let Some(status) = status::for_event(&self.run.workflow, event) {
            self.reporter.post_status(&self.run, status);
        }
        if let RunEvent::RunFinished { result, seconds, .. } = event {
            self.reporter.notify_finished(&self.run, *result, *seconds);
        }
    }
}
