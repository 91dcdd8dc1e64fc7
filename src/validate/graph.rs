//! The references between systems and bundles: `depends-on` (checked for
//! unknown ids and cycles, then closed: who depends on whom, directly or
//! not) and `bundles` (ids, names, members, cycles, resolved to systems).

use std::collections::{BTreeMap, BTreeSet};

use super::{ALL_FEED, Bundle, MAX_TEXT_CHARS, SourceFile, Spanned, System, Validator};

/// Each bundle as written, by id: the bundle (systems not yet resolved)
/// and its members with the file each is written in.
type Written<'r> = BTreeMap<String, (Bundle, Vec<(&'r Spanned<String>, std::path::PathBuf)>)>;

impl Validator {
    /// For each system in `known` (by its index in id order), the indexes
    /// of the systems that depend on it, directly or not. Unknown ids,
    /// repeats and cycles are reported; an edge that closes a cycle is left
    /// out, so the rest can still be checked.
    pub(super) fn dependants(
        &mut self,
        files: &[SourceFile],
        known: &BTreeMap<&str, &System>,
    ) -> Vec<Vec<usize>> {
        let index: BTreeMap<&str, usize> =
            known.keys().enumerate().map(|(i, id)| (*id, i)).collect();
        // Edges from a system to what it needs, each with where it is written.
        let mut needs: Vec<Vec<(usize, &Spanned<String>, std::path::PathBuf)>> =
            vec![Vec::new(); index.len()];
        let mut done = BTreeSet::new();
        for file in files {
            self.path = file.path.clone();
            for raw in &file.raw.systems {
                let id = raw.value.id.value.as_str();
                let Some(&from) = index.get(id) else { continue };
                // Only the definition that was kept (the first).
                if !done.insert(id) {
                    continue;
                }
                let mut seen = BTreeSet::new();
                for dep in &raw.value.depends_on {
                    let d = dep.value.as_str();
                    if self.rejected.contains(d) {
                        continue;
                    }
                    let Some(&to) = index.get(d) else {
                        self.unknown_system(dep, known);
                        continue;
                    };
                    if to == from {
                        self.err(
                            dep,
                            format!("system `{id}` depends on itself"),
                            Some("remove it from `depends-on`".into()),
                        );
                    } else if !seen.insert(to) {
                        self.err(
                            dep,
                            format!("`{d}` is listed twice in `depends-on`"),
                            Some("remove one".into()),
                        );
                    } else {
                        needs[from].push((to, dep, file.path.clone()));
                    }
                }
            }
        }
        self.break_cycles(&mut needs, known);
        // Who needs each system directly, then the closure, memoised in
        // topological order (the graph has no cycle left).
        let mut needed_by: Vec<Vec<usize>> = vec![Vec::new(); needs.len()];
        for (from, edges) in needs.iter().enumerate() {
            for (to, _, _) in edges {
                needed_by[*to].push(from);
            }
        }
        let mut closure: Vec<Option<BTreeSet<usize>>> = vec![None; needs.len()];
        for start in 0..needs.len() {
            // Iterative post-order, so a long chain cannot overflow the stack.
            let mut stack = vec![(start, false)];
            while let Some((n, expanded)) = stack.pop() {
                if closure[n].is_some() {
                    continue;
                }
                if expanded {
                    let mut all = BTreeSet::new();
                    for &d in &needed_by[n] {
                        all.insert(d);
                        all.extend(closure[d].iter().flatten().copied());
                    }
                    closure[n] = Some(all);
                } else {
                    stack.push((n, true));
                    stack.extend(needed_by[n].iter().map(|&d| (d, false)));
                }
            }
        }
        closure
            .into_iter()
            .map(|c| c.unwrap_or_default().into_iter().collect())
            .collect()
    }

    /// Reports every cycle of `depends-on` once, at the dependency that
    /// closes it, and removes that edge.
    fn break_cycles(
        &mut self,
        needs: &mut [Vec<(usize, &Spanned<String>, std::path::PathBuf)>],
        known: &BTreeMap<&str, &System>,
    ) {
        let ids: Vec<&str> = known.keys().copied().collect();
        // 0: not seen, 1: on the current path, 2: finished.
        let mut state = vec![0u8; needs.len()];
        for root in 0..needs.len() {
            if state[root] != 0 {
                continue;
            }
            let mut path: Vec<(usize, usize)> = vec![(root, 0)];
            state[root] = 1;
            while let Some(&(node, next)) = path.last() {
                let Some((to, dep, file)) = needs[node].get(next).cloned() else {
                    state[node] = 2;
                    path.pop();
                    continue;
                };
                if let Some(top) = path.last_mut() {
                    top.1 += 1;
                }
                match state[to] {
                    0 => {
                        state[to] = 1;
                        path.push((to, 0));
                    }
                    1 => {
                        let from = path.iter().position(|(n, _)| *n == to).unwrap_or(0);
                        let mut names: Vec<&str> =
                            path[from..].iter().map(|(n, _)| ids[*n]).collect();
                        names.push(ids[to]);
                        self.path = file;
                        self.err(
                            dep,
                            format!("`depends-on` goes round in a circle: {}", names.join(" -> ")),
                            Some(format!(
                                "a system cannot need itself: remove `{}` from the `depends-on` of `{}`, or another link of the circle",
                                ids[to], ids[node]
                            )),
                        );
                        needs[node].retain(|(t, _, _)| *t != to);
                        if let Some(top) = path.last_mut() {
                            top.1 -= 1;
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// The bundles, members resolved to systems. A bundle may hold other
    /// bundles; unknown ids, clashes and cycles are reported.
    pub(super) fn bundles(
        &mut self,
        files: &[SourceFile],
        known: &BTreeMap<&str, &System>,
    ) -> Vec<Bundle> {
        let mut written: Written = BTreeMap::new();
        let mut at: BTreeMap<String, super::Location> = BTreeMap::new();
        for file in files {
            self.path = file.path.clone();
            for raw in &file.raw.bundles {
                let b = &raw.value;
                let id = &b.id;
                if !self.slug(id, "bundle") {
                    self.rejected.insert(id.value.clone());
                    continue;
                }
                let clash = if id.value == ALL_FEED {
                    Some("`all` is the feed with every system".to_string())
                } else if id.value == "index" {
                    Some("`index.html` is the page that lists every system".to_string())
                } else if known.contains_key(id.value.as_str()) {
                    Some(format!("`{}` is already a system id", id.value))
                } else {
                    at.get(&id.value)
                        .map(|first| format!("`{}` is first defined at {first}", id.value))
                };
                if let Some(why) = clash {
                    self.err(
                        id,
                        format!("bundle id `{}` is taken", id.value),
                        Some(format!(
                            "{why}; bundles and systems share one set of ids (they name the feeds): choose another"
                        )),
                    );
                    continue;
                }
                at.insert(id.value.clone(), self.at(id));
                let name = self.required_text(&b.name, "name");
                let description = self.text(b.description.as_ref(), "description", MAX_TEXT_CHARS);
                if b.systems.is_empty() {
                    self.err(
                        id,
                        format!("bundle `{}` has no `systems`", id.value),
                        Some(
                            "list the systems (or bundles) it holds: `systems: [visma, gat]`"
                                .into(),
                        ),
                    );
                    continue;
                }
                let Some(name) = name else {
                    self.rejected.insert(id.value.clone());
                    continue;
                };
                let members = b.systems.iter().map(|m| (m, file.path.clone())).collect();
                let bundle = Bundle {
                    id: id.value.clone(),
                    name,
                    description,
                    systems: Vec::new(),
                };
                written.insert(id.value.clone(), (bundle, members));
            }
        }
        // Resolve members: systems as they are, bundles by their systems.
        let ids: Vec<String> = written.keys().cloned().collect();
        let mut resolved: BTreeMap<String, Option<BTreeSet<String>>> = BTreeMap::new();
        for id in &ids {
            let mut path = Vec::new();
            self.resolve(id, &written, known, &mut resolved, &mut path);
        }
        written
            .into_iter()
            .filter_map(|(id, (mut bundle, _))| {
                let systems = resolved.remove(&id).flatten()?;
                bundle.systems = systems.into_iter().collect();
                Some(bundle)
            })
            .collect()
    }

    /// The systems of bundle `id` (memoised in `resolved`; `None`: it has a
    /// problem, reported). `path`: the bundles being resolved, for cycles.
    fn resolve(
        &mut self,
        id: &str,
        written: &Written,
        known: &BTreeMap<&str, &System>,
        resolved: &mut BTreeMap<String, Option<BTreeSet<String>>>,
        path: &mut Vec<String>,
    ) -> Option<BTreeSet<String>> {
        if let Some(done) = resolved.get(id) {
            return done.clone();
        }
        let (_, members) = written.get(id)?;
        path.push(id.to_string());
        let mut systems = BTreeSet::new();
        let mut seen = BTreeSet::new();
        let mut ok = true;
        for (m, file) in members {
            self.path = file.clone();
            let name = m.value.as_str();
            if !seen.insert(name) {
                self.err(
                    m,
                    format!("`{name}` is listed twice"),
                    Some("remove one".into()),
                );
                ok = false;
            } else if known.contains_key(name) {
                systems.insert(name.to_string());
            } else if path.iter().any(|p| p == name) {
                let mut circle = path.clone();
                circle.push(name.to_string());
                self.err(
                    m,
                    format!(
                        "bundles hold each other in a circle: {}",
                        circle.join(" -> ")
                    ),
                    Some(format!(
                        "remove `{name}` from bundle `{id}`, or list its systems instead"
                    )),
                );
                ok = false;
            } else if written.contains_key(name) {
                match self.resolve(name, written, known, resolved, path) {
                    Some(inner) => systems.extend(inner),
                    None => ok = false,
                }
                self.path = file.clone();
            } else if self.rejected.contains(name) {
                ok = false;
            } else {
                let candidates = known
                    .keys()
                    .copied()
                    .chain(written.keys().map(String::as_str));
                let help = super::unknown_system_help(name, candidates, "`systems:` or `bundles:`");
                self.err(m, format!("unknown system or bundle `{name}`"), Some(help));
                ok = false;
            }
        }
        path.pop();
        let out = ok.then_some(systems);
        resolved.insert(id.to_string(), out.clone());
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::pipeline::error_lines_of;

    const SYSTEMS: &str = "systems:\n  - id: internett\n    name: Internett\n  - id: telefoni\n    name: Telefoni\n    depends-on: [internett]\n  - id: sentralbord\n    name: Sentralbord\n    depends-on: [telefoni]\n";

    #[test]
    fn dependencies_are_closed_and_unknown_ids_and_cycles_are_errors() {
        let files = [(
            std::path::PathBuf::from("t.yaml"),
            SYSTEMS.as_bytes().to_vec(),
        )];
        let checked = crate::pipeline::load_memory(&files).unwrap();
        let s = &checked.schedule;
        let of = |id| {
            let n = s.system_index(id).unwrap();
            let ids = s.dependants[n].iter().map(|d| s.systems[*d].id.as_str());
            ids.collect::<Vec<_>>()
        };
        assert_eq!(of("internett"), ["sentralbord", "telefoni"]);
        assert_eq!(of("telefoni"), ["sentralbord"]);
        assert!(of("sentralbord").is_empty());

        let cycle = "systems:\n  - id: a\n    name: A\n    depends-on: [b]\n  - id: b\n    name: B\n    depends-on: [c, a-typo]\n  - id: c\n    name: C\n    depends-on: [a, c]\n";
        let errors = error_lines_of(cycle);
        assert_eq!(
            errors,
            [
                "error: t.yaml:7:21: unknown system `a-typo`",
                "error: t.yaml:10:18: `depends-on` goes round in a circle: a -> b -> c -> a",
                "error: t.yaml:10:21: system `c` depends on itself",
            ],
            "{errors:?}"
        );
    }

    #[test]
    fn bundles_resolve_to_systems_and_clashes_and_circles_are_errors() {
        let yaml = format!(
            "{SYSTEMS}bundles:\n  - id: helse\n    name: Helse\n    systems: [telefoni, kontor]\n  - id: kontor\n    name: Kontor\n    systems: [internett]\n"
        );
        let files = [(std::path::PathBuf::from("t.yaml"), yaml.into_bytes())];
        let checked = crate::pipeline::load_memory(&files).unwrap();
        let b = &checked.schedule.bundles;
        assert_eq!(b.len(), 2);
        assert_eq!(
            (b[0].id.as_str(), b[0].systems.clone()),
            ("helse", vec!["internett".to_string(), "telefoni".into()])
        );

        let bad = format!(
            "{SYSTEMS}bundles:\n  - id: telefoni\n    name: T\n    systems: [internett]\n  - id: x\n    name: X\n    systems: [y]\n  - id: y\n    name: Y\n    systems: [x, internet]\n"
        );
        let errors = error_lines_of(&bad);
        assert_eq!(
            errors,
            [
                "error: t.yaml:11:9: bundle id `telefoni` is taken",
                "error: t.yaml:19:15: bundles hold each other in a circle: x -> y -> x",
                "error: t.yaml:19:18: unknown system or bundle `internet`",
            ],
            "{errors:?}"
        );
    }
}
