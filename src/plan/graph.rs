//! The job graph: which job waits for which, from each job's `needs`.
//!
//! Job ids are matched ignoring ASCII case, as GitHub does (actions/runner
//! `WorkflowTemplateConverter.ConvertToJobs` compares `OrdinalIgnoreCase`;
//! job ids are ASCII). All algorithms are iterative so a long chain of jobs
//! cannot overflow the stack.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};

use super::graph_error::GraphError;

/// Jobs and their dependencies, known to be free of cycles and unknown ids.
/// Jobs are named by their index in declaration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobGraph {
    ids: Vec<String>,
    /// Each job's dependencies, in `needs` order, without repeats.
    needs: Vec<Vec<usize>>,
    /// Each job's direct dependents, ascending.
    dependents: Vec<Vec<usize>>,
    order: Vec<usize>,
}

/// Builds the graph from `(job id, needs)` pairs in declaration order, or
/// returns every problem: each unknown `needs` entry, each cycle found once,
/// and the lack of a job without `needs`. Errors come in declaration order
/// of the `needs` entry they point at; `NoRoot` comes last.
///
/// Unlike GitHub, which reports every `needs` entry of every job that can
/// never start, a cycle is reported once, at the entry that closes it, with
/// the full cycle; jobs merely waiting on a cycle are not errors of their own.
pub fn build(jobs: &[(String, Vec<String>)]) -> Result<JobGraph, Vec<GraphError>> {
    let lookup = Lookup::new(jobs);
    let mut located: Vec<(usize, usize, GraphError)> = Vec::new();
    let mut needs: Vec<Vec<usize>> = vec![Vec::new(); jobs.len()];
    for (j, (id, list)) in jobs.iter().enumerate() {
        for (index, name) in list.iter().enumerate() {
            match lookup.find(name) {
                Some(target) if !needs[j].contains(&target) => needs[j].push(target),
                Some(_) => {}
                None => located.push((
                    j,
                    index,
                    GraphError::UnknownJob {
                        job: id.clone(),
                        index,
                        unknown: name.clone(),
                        suggestion: suggest(name, jobs, j),
                    },
                )),
            }
        }
    }
    for cycle in find_cycles(&needs) {
        let (Some(&start), Some(&closing)) = (cycle.first(), cycle.iter().rev().nth(1)) else {
            continue;
        };
        let index = jobs[closing]
            .1
            .iter()
            .position(|name| lookup.find(name) == Some(start))
            .unwrap_or(0);
        located.push((
            closing,
            index,
            GraphError::Cycle {
                job: jobs[closing].0.clone(),
                index,
                cycle: cycle.iter().map(|&j| jobs[j].0.clone()).collect(),
            },
        ));
    }
    located.sort_by_key(|(job, index, _)| (*job, *index));
    let mut errors: Vec<GraphError> = located.into_iter().map(|(_, _, e)| e).collect();
    if !jobs.is_empty() && jobs.iter().all(|(_, list)| !list.is_empty()) {
        errors.push(GraphError::NoRoot);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut dependents = vec![Vec::new(); jobs.len()];
    for (j, list) in needs.iter().enumerate() {
        for &n in list {
            dependents[n].push(j);
        }
    }
    let order = topological_order(&needs, &dependents);
    Ok(JobGraph {
        ids: jobs.iter().map(|(id, _)| id.clone()).collect(),
        needs,
        dependents,
        order,
    })
}

impl JobGraph {
    /// The number of jobs.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no jobs.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The id of job `job`, if it exists.
    pub fn id(&self, job: usize) -> Option<&str> {
        self.ids.get(job).map(String::as_str)
    }

    /// The index of the job with this id, ignoring ASCII case.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.ids.iter().position(|j| j.eq_ignore_ascii_case(id))
    }

    /// Each job id with the ids of the jobs it needs, as the run records it.
    pub fn needs_by_id(&self) -> BTreeMap<String, Vec<String>> {
        let id = |j: &usize| self.ids[*j].clone();
        (0..self.ids.len())
            .map(|j| (id(&j), self.needs(j).iter().map(id).collect()))
            .collect()
    }

    /// All jobs, each after everything it needs. Among jobs that could go
    /// next, the one declared first goes first.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// The jobs `job` needs directly, in `needs` order (empty for an unknown
    /// index).
    pub fn needs(&self, job: usize) -> &[usize] {
        self.needs.get(job).map_or(&[], Vec::as_slice)
    }

    /// The jobs that need `job` directly, ascending.
    pub fn dependents(&self, job: usize) -> &[usize] {
        self.dependents.get(job).map_or(&[], Vec::as_slice)
    }

    /// Every job `job` waits for, directly or not, ascending. A job's
    /// default `if: success()` looks at all of these.
    pub fn ancestors(&self, job: usize) -> Vec<usize> {
        let mut seen = vec![false; self.len()];
        let mut pending: Vec<usize> = self.needs(job).to_vec();
        while let Some(j) = pending.pop() {
            if let Some(slot) = seen.get_mut(j) {
                if !*slot {
                    *slot = true;
                    pending.extend_from_slice(self.needs(j));
                }
            }
        }
        (0..self.len()).filter(|&j| seen[j]).collect()
    }
}

/// Job ids by their lower-cased form; the first of two equal ids wins.
struct Lookup(HashMap<String, usize>);

impl Lookup {
    fn new(jobs: &[(String, Vec<String>)]) -> Self {
        let mut map = HashMap::new();
        for (j, (id, _)) in jobs.iter().enumerate() {
            map.entry(id.to_ascii_lowercase()).or_insert(j);
        }
        Lookup(map)
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.0.get(&name.to_ascii_lowercase()).copied()
    }
}

/// The job id closest to `unknown`, if one is close enough to be a typo.
fn suggest(unknown: &str, jobs: &[(String, Vec<String>)], this: usize) -> Option<String> {
    let wanted = unknown.to_ascii_lowercase();
    let limit = (wanted.chars().count() / 3).max(1);
    jobs.iter()
        .enumerate()
        .filter(|(j, _)| *j != this)
        .map(|(_, (id, _))| (strsim::osa_distance(&wanted, &id.to_ascii_lowercase()), id))
        .filter(|(d, _)| *d <= limit && *d < wanted.chars().count())
        .min_by_key(|(d, _)| *d)
        .map(|(_, id)| id.clone())
}

/// One cycle per back edge of a depth-first search in declaration order,
/// each rotated to start at its first-declared job and closed (first ==
/// last), without repeats.
fn find_cycles(needs: &[Vec<usize>]) -> Vec<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let mut mark = vec![Mark::New; needs.len()];
    let mut path_pos: Vec<usize> = vec![0; needs.len()];
    let mut cycles = Vec::new();
    let mut seen: HashSet<Vec<usize>> = HashSet::new();
    for root in 0..needs.len() {
        if mark[root] != Mark::New {
            continue;
        }
        // (job, next edge to follow); the stack is the current path.
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        mark[root] = Mark::OnPath;
        path_pos[root] = 0;
        while let Some(top) = stack.last_mut() {
            let (job, edge) = *top;
            let Some(&next) = needs[job].get(edge) else {
                mark[job] = Mark::Done;
                stack.pop();
                continue;
            };
            top.1 += 1;
            match mark[next] {
                Mark::New => {
                    mark[next] = Mark::OnPath;
                    path_pos[next] = stack.len();
                    stack.push((next, 0));
                }
                Mark::OnPath => {
                    let ring: Vec<usize> = stack[path_pos[next]..].iter().map(|(j, _)| *j).collect();
                    let cycle = rotate_closed(&ring);
                    if seen.insert(cycle.clone()) {
                        cycles.push(cycle);
                    }
                }
                Mark::Done => {}
            }
        }
    }
    cycles
}

/// `[c, a, b]` (c→a→b→c) as `[a, b, c, a]`.
fn rotate_closed(ring: &[usize]) -> Vec<usize> {
    let start = ring.iter().enumerate().min_by_key(|(_, j)| **j).map_or(0, |(i, _)| i);
    let mut cycle: Vec<usize> = ring[start..].iter().chain(&ring[..start]).copied().collect();
    if let Some(&first) = cycle.first() {
        cycle.push(first);
    }
    cycle
}

/// Kahn's algorithm, always taking the first-declared ready job.
fn topological_order(needs: &[Vec<usize>], dependents: &[Vec<usize>]) -> Vec<usize> {
    let mut waiting: Vec<usize> = needs.iter().map(Vec::len).collect();
    let mut ready: BinaryHeap<Reverse<usize>> = (0..needs.len()).filter(|&j| waiting[j] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(needs.len());
    while let Some(Reverse(job)) = ready.pop() {
        order.push(job);
        for &d in &dependents[job] {
            waiting[d] = waiting[d].saturating_sub(1);
            if waiting[d] == 0 {
                ready.push(Reverse(d));
            }
        }
    }
    order
}
