//! Publishing as the nightly job sees it: change tracking across builds,
//! removal of feeds nedetid wrote, a corrupt state file, `build --check`,
//! two builds at once, what a killed build leaves, special files.

mod common;

use std::path::Path;

use common::*;

/// A copy of the 2019 page that a test may edit.
fn schedules() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(root().join(PAGE_2019))
        .expect("the 2019 fixture")
        .filter_map(Result::ok)
    {
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy");
    }
    dir
}

fn build_at(schedules: &Path, out: &Path, now: &str) -> std::process::Output {
    nedetid()
        .args(["build", "--now", now, "--schedules"])
        .arg(schedules)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run")
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("manifest"))
        .expect("json")
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{from} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn editing_one_outage_bumps_exactly_that_events_sequence() {
    let src = schedules();
    let out = tempfile::tempdir().expect("tempdir");
    assert!(
        build_at(src.path(), out.path(), "2019-10-01T08:00:00Z")
            .status
            .success()
    );
    let before = manifest(out.path());
    let visma_before = std::fs::read_to_string(out.path().join("visma.ics")).expect("read");

    edit(
        &src.path().join("nedetid-2019.yaml"),
        "start: 2019-11-29 15:30",
        "start: 2019-11-29 16:00",
    );
    let run = build_at(src.path(), out.path(), "2019-10-20T08:00:00Z");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let after = manifest(out.path());

    let uid = "2019-11-29-flytting-datahall@nedetid.vestre-toten.kommune.no";
    let events = |m: &serde_json::Value| m["events"].as_object().cloned().unwrap_or_default();
    let (b, a) = (events(&before), events(&after));
    assert_eq!(b.len(), a.len());
    for (key, old) in &b {
        let new = &a[key];
        if key == uid {
            assert_eq!(new["sequence"], 1);
            assert_eq!(new["modified"], "2019-10-20T08:00:00Z");
            assert_ne!(new["hash"], old["hash"]);
        } else {
            assert_eq!(new, old, "{key} changed");
        }
    }
    let visma = std::fs::read_to_string(out.path().join("visma.ics")).expect("read");
    let changed: Vec<&str> = visma
        .lines()
        .filter(|l| !visma_before.lines().any(|o| o == *l))
        .collect();
    assert_eq!(
        changed,
        [
            "DTSTAMP:20191020T080000Z\r",
            "LAST-MODIFIED:20191020T080000Z\r",
            "SEQUENCE:1\r",
            "DTSTART;TZID=Europe/Oslo:20191129T160000\r"
        ]
        .map(|l| l.trim_end_matches('\r')),
        "only the edited event's revision and start change"
    );
}

#[test]
fn a_removed_system_loses_its_feed_and_nothing_else_is_removed() {
    let src = schedules();
    let out = tempfile::tempdir().expect("tempdir");
    std::fs::write(out.path().join("README.txt"), "the web team's file").expect("write");
    std::fs::write(out.path().join("old.ics"), "not written by nedetid").expect("write");
    assert!(build_at(src.path(), out.path(), NOW).status.success());
    edit(
        &src.path().join("innstillinger.yaml"),
        "  - id: svarut\n    name: SvarUt og SvarInn\n",
        "",
    );
    let run = build_at(src.path(), out.path(), NOW);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("removed"), "{stdout}");
    assert!(!out.path().join("svarut.ics").exists());
    assert!(out.path().join("README.txt").exists() && out.path().join("old.ics").exists());
}

#[test]
fn a_corrupt_state_file_is_named_and_nothing_is_written() {
    let out = tempfile::tempdir().expect("tempdir");
    assert!(
        build_at(Path::new(PAGE_2019), out.path(), NOW)
            .status
            .success()
    );
    std::fs::write(out.path().join("manifest.json"), "{ not json").expect("write");
    std::fs::remove_file(out.path().join("visma.ics")).expect("rm");
    let run = build_at(Path::new(PAGE_2019), out.path(), NOW);
    assert_eq!(run.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("manifest.json") && stderr.contains("state file"),
        "{stderr}"
    );
    assert!(!out.path().join("visma.ics").exists(), "nothing written");
}

#[test]
fn build_check_exits_4_and_says_what_would_change() {
    let out = tempfile::tempdir().expect("tempdir");
    assert!(
        build_at(Path::new(PAGE_2019), out.path(), NOW)
            .status
            .success()
    );
    std::fs::write(out.path().join("gat.ics"), "edited by hand").expect("write");
    let run = nedetid()
        .args([
            "build",
            "--check",
            "--now",
            NOW,
            "--schedules",
            PAGE_2019,
            "--out",
        ])
        .arg(out.path())
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&run.stderr).contains("update gat.ics"));
    assert_eq!(
        std::fs::read(out.path().join("gat.ics")).ok().as_deref(),
        Some(&b"edited by hand"[..]),
        "--check writes nothing"
    );
}

#[test]
fn a_read_only_target_fails_without_touching_published_files() {
    let out = tempfile::tempdir().expect("tempdir");
    assert!(
        build_at(Path::new(PAGE_2019), out.path(), NOW)
            .status
            .success()
    );
    let before = std::fs::read(out.path().join("all.ics")).expect("read");
    // A folder where a feed should be: its write fails part-way through.
    std::fs::remove_file(out.path().join("vpn.ics")).expect("rm");
    std::fs::create_dir(out.path().join("vpn.ics")).expect("mkdir");
    let src = schedules();
    edit(
        &src.path().join("nedetid-2019.yaml"),
        "title: Gjøvikregionens datautstyr",
        "title: Regionens datautstyr",
    );
    let run = build_at(src.path(), out.path(), "2019-11-01T00:00:00Z");
    assert_eq!(
        run.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        std::fs::read(out.path().join("all.ics")).expect("read"),
        before
    );
}

#[test]
fn retention_drops_old_events_and_a_reminder_comes_last() {
    let src = schedules();
    edit(
        &src.path().join("innstillinger.yaml"),
        "  horizon-months: 13\n",
        "  horizon-months: 13\n  retention-days: 30\n  reminder: PT1H\n",
    );
    let out = tempfile::tempdir().expect("tempdir");
    let run = build_at(src.path(), out.path(), "2019-12-31T12:00:00Z");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let all = std::fs::read(out.path().join("all.ics")).expect("read");
    let events = parse_feed(&all);
    // Ended after 1 December: the data-centre move (to 2 December), the
    // 11 December maintenance and the Visma 2019.3 upgrade.
    let uids: Vec<&str> = events
        .iter()
        .map(|e| e.uid.split('@').next().unwrap_or(""))
        .collect();
    assert_eq!(
        uids,
        [
            "2019-11-29-flytting-datahall",
            "2019-12-visma-2019-3",
            "manedlig-vedlikehold.20191218"
        ]
    );
    let text = icalendar::parser::unfold(&String::from_utf8_lossy(&all));
    for event in text.split("BEGIN:VEVENT").skip(1) {
        assert!(
            event.contains("X-ALT-DESC;FMTTYPE=text/html:<html>"),
            "{event}"
        );
        let alarm = event.find("BEGIN:VALARM").expect("a VALARM");
        assert!(event[alarm..].starts_with("BEGIN:VALARM\r\nACTION:DISPLAY\r\n"));
        assert!(
            event[alarm..].contains("TRIGGER:-PT1H\r\nEND:VALARM\r\nEND:VEVENT"),
            "the VALARM is last"
        );
    }
}

#[test]
fn the_no_op_check_trusts_nothing_it_cannot_see() {
    let out = tempfile::tempdir().expect("tempdir");
    let now = "2019-11-01T00:00:00Z";
    assert!(
        build_at(Path::new(PAGE_2019), out.path(), now)
            .status
            .success()
    );
    let again = build_at(Path::new(PAGE_2019), out.path(), now);
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing written"));
    // A feed edited by hand (its size changes) is put right.
    std::fs::write(out.path().join("gat.ics"), "edited").expect("write");
    let repaired = build_at(Path::new(PAGE_2019), out.path(), now);
    assert!(
        String::from_utf8_lossy(&repaired.stdout).contains("updated    "),
        "{}",
        String::from_utf8_lossy(&repaired.stdout)
    );
    assert_ne!(
        std::fs::read(out.path().join("gat.ics")).ok().as_deref(),
        Some(&b"edited"[..])
    );
    // Past the next event boundary (the power test on 3 November starts),
    // the page changes: a full build runs and rewrites only what changed.
    let later = build_at(Path::new(PAGE_2019), out.path(), "2019-11-03T12:00:00Z");
    let said = String::from_utf8_lossy(&later.stdout);
    assert!(
        said.contains("updated    ") && said.contains("index.html"),
        "{said}"
    );
    assert!(
        said.contains("unchanged  ") && said.contains("visma.ics"),
        "{said}"
    );
}

#[test]
fn the_no_op_check_does_not_hold_for_an_earlier_now() {
    let out = tempfile::tempdir().expect("tempdir");
    assert!(
        build_at(Path::new(PAGE_2019), out.path(), "2019-11-04T00:00:00Z")
            .status
            .success()
    );
    // Before the power test on 3 November: it is upcoming again, so the
    // page must change although the schedules did not.
    let earlier = build_at(Path::new(PAGE_2019), out.path(), "2019-11-02T00:00:00Z");
    let said = String::from_utf8_lossy(&earlier.stdout);
    assert!(
        said.contains("updated    ") && said.contains("index.html"),
        "{said}"
    );
}

/// Every name in a folder, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn check_at(schedules: &Path, out: &Path, now: &str) -> Option<i32> {
    nedetid()
        .args(["build", "--check", "--now", now, "--schedules"])
        .arg(schedules)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run")
        .status
        .code()
}

#[test]
fn two_builds_at_once_never_leave_a_mixed_folder() {
    let now = "2019-11-01T00:00:00Z";
    let a = schedules();
    let b = schedules();
    edit(
        &b.path().join("innstillinger.yaml"),
        "  - id: svarut\n    name: SvarUt og SvarInn\n",
        "",
    );
    edit(
        &b.path().join("nedetid-2019.yaml"),
        "title: Gjøvikregionens datautstyr",
        "title: Regionens datautstyr",
    );
    let bin = env!("CARGO_BIN_EXE_nedetid");
    let start = |src: &Path, out: &Path| {
        std::process::Command::new(bin)
            .args(["build", "--now", now, "--schedules"])
            .arg(src)
            .arg("--out")
            .arg(out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start")
    };
    let (mut a_last, mut b_last) = (0, 0);
    for round in 0..12 {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        // Into a new folder, and over a folder of the other schedules.
        if round % 2 == 1 {
            let first = if round % 4 == 1 { &a } else { &b };
            assert!(build_at(first.path(), &out, now).status.success());
        }
        let (x, y) = if round % 3 == 0 { (&a, &b) } else { (&b, &a) };
        let runs = [start(x.path(), &out), start(y.path(), &out)];
        for run in runs {
            let done = run.wait_with_output().expect("wait");
            assert!(
                done.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&done.stderr)
            );
        }
        let a_ok = check_at(a.path(), &out, now) == Some(0);
        let b_ok = check_at(b.path(), &out, now) == Some(0);
        assert!(
            a_ok != b_ok,
            "round {round}: the folder is exactly one build's ({a_ok} {b_ok})"
        );
        a_last += usize::from(a_ok);
        b_last += usize::from(b_ok);
        let mut expected: Vec<String> = manifest(&out)["files"]
            .as_array()
            .expect("files")
            .iter()
            .filter_map(|f| f.as_str().map(String::from))
            .collect();
        expected.sort();
        let mut left = listing(&out);
        left.retain(|name| {
            ![
                ".nedetid.stat",
                ".nedetid-run.json",
                ".nedetid.cache",
                ".nedetid.parsed",
            ]
            .contains(&name.as_str())
        });
        assert_eq!(
            left, expected,
            "round {round}: no file of the other build, no temporary or lock file"
        );
    }
    assert!(a_last > 0 && b_last > 0, "either may publish last");
}

#[test]
fn a_killed_build_of_a_same_length_edit_is_undone_by_the_next_build() {
    let now = "2019-10-01T08:00:00Z";
    let src = schedules();
    let out = tempfile::tempdir().expect("tempdir");
    assert!(build_at(src.path(), out.path(), now).status.success());
    let published = std::fs::read(out.path().join("visma.ics")).expect("read");
    // The edit changes visma.ics but not its length.
    let yaml = src.path().join("nedetid-2019.yaml");
    let original = std::fs::read(&yaml).expect("read");
    edit(&yaml, "start: 2019-11-29 15:30", "start: 2019-11-29 16:00");
    let edited = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in feeds(out.path()) {
        std::fs::write(edited.path().join(name), bytes).expect("copy");
    }
    std::fs::copy(
        out.path().join("manifest.json"),
        edited.path().join("manifest.json"),
    )
    .expect("copy");
    assert!(build_at(src.path(), edited.path(), now).status.success());
    let new = std::fs::read(edited.path().join("visma.ics")).expect("read");
    assert_ne!(new, published);
    assert_eq!(new.len(), published.len(), "an edit of the same length");
    // Killed after renaming the new visma.ics into place, before the state
    // file: then the edit is reverted.
    std::fs::rename(
        edited.path().join("visma.ics"),
        out.path().join("visma.ics"),
    )
    .expect("rename");
    std::fs::write(&yaml, original).expect("revert");
    let next = build_at(src.path(), out.path(), now);
    let said = String::from_utf8_lossy(&next.stdout);
    assert!(next.status.success(), "{said}");
    assert!(
        said.contains("updated    ") && said.contains("visma.ics"),
        "{said}"
    );
    assert_eq!(
        std::fs::read(out.path().join("visma.ics")).expect("read"),
        published
    );
    assert_eq!(check_at(src.path(), out.path(), now), Some(0));
}

#[test]
fn a_same_size_edit_of_a_published_file_is_repaired() {
    let now = "2019-11-01T00:00:00Z";
    let out = tempfile::tempdir().expect("tempdir");
    assert!(
        build_at(Path::new(PAGE_2019), out.path(), now)
            .status
            .success()
    );
    let gat = out.path().join("gat.ics");
    let published = std::fs::read(&gat).expect("read");
    let modified = std::fs::metadata(&gat)
        .and_then(|m| m.modified())
        .expect("mtime");
    // Written in place, same length, and the time set back as it was.
    {
        use std::io::Write as _;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(&gat)
            .expect("open");
        file.write_all(b"EDITED:").expect("write");
        file.set_modified(modified).expect("touch");
    }
    assert_eq!(
        std::fs::metadata(&gat).map(|m| m.len()).ok(),
        Some(published.len() as u64)
    );
    assert_eq!(check_at(Path::new(PAGE_2019), out.path(), now), Some(4));
    let repaired = build_at(Path::new(PAGE_2019), out.path(), now);
    let said = String::from_utf8_lossy(&repaired.stdout);
    assert!(
        said.contains("updated    ") && said.contains("gat.ics"),
        "{said}"
    );
    assert_eq!(std::fs::read(&gat).expect("read"), published);
    // And then the shortcut holds again.
    let again = build_at(Path::new(PAGE_2019), out.path(), now);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("nothing written"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}

#[test]
fn the_next_build_removes_what_a_killed_build_left_and_nothing_else() {
    let out = tempfile::tempdir().expect("tempdir");
    assert!(
        build_at(Path::new(PAGE_2019), out.path(), NOW)
            .status
            .success()
    );
    let before = listing(out.path());
    // A killed build's staged file and backup; and names that are not.
    let ours = [".nedetid-a1B2c3.tmp", ".nedetid-ZZZZZZ.tmp"];
    let others = [".nedetid-keep.tmp", "notes.tmp", ".nedetid-a1B2c3.tmp~"];
    for name in ours.iter().chain(&others) {
        std::fs::write(out.path().join(name), "BEGIN:VCALENDAR").expect("write");
    }
    let next = build_at(Path::new(PAGE_2019), out.path(), NOW);
    assert!(
        String::from_utf8_lossy(&next.stdout).contains("nothing written"),
        "a no-op build cleans up too"
    );
    let mut expected = before;
    expected.extend(others.map(String::from));
    expected.sort();
    assert_eq!(listing(out.path()), expected);
}

#[cfg(unix)]
#[test]
fn special_files_in_the_output_folder_are_errors_never_read() {
    use std::ffi::OsStr;
    use std::time::Duration;
    let out = tempfile::tempdir().expect("tempdir");
    assert!(
        build_at(Path::new(PAGE_2019), out.path(), NOW)
            .status
            .success()
    );
    let build = |out: &Path| {
        run_within(
            Duration::from_secs(20),
            &[
                OsStr::new("build"),
                OsStr::new("--now"),
                OsStr::new(NOW),
                OsStr::new("--schedules"),
                OsStr::new(PAGE_2019),
                OsStr::new("--out"),
                out.as_os_str(),
            ],
        )
    };
    let mkfifo = |path: &Path| {
        let made = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("mkfifo");
        assert!(made.success());
    };
    let visma = out.path().join("visma.ics");
    for (setup, says) in [
        (
            "fifo",
            "visma.ics: it is a named pipe (FIFO), not a regular file",
        ),
        (
            "zero",
            "visma.ics: it is a symbolic link, not a regular file",
        ),
    ] {
        std::fs::remove_file(&visma).expect("rm");
        match setup {
            "fifo" => mkfifo(&visma),
            _ => std::os::unix::fs::symlink("/dev/zero", &visma).expect("ln"),
        }
        let run = build(out.path());
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(3), "{stderr}");
        assert!(
            stderr.contains(says) && stderr.contains("remove it"),
            "{stderr}"
        );
    }
    let manifest = out.path().join("manifest.json");
    std::fs::remove_file(&manifest).expect("rm");
    mkfifo(&manifest);
    let run = build(out.path());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("manifest.json: it is a named pipe (FIFO), not a regular file"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn a_new_output_folder_is_0755_under_umask_077() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("www").join("nedetid");
    let run = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 077 && exec \"$0\" build --now 2019-01-01T00:00:00Z --out \"$1\"")
        .arg(env!("CARGO_BIN_EXE_nedetid"))
        .arg(&out)
        .current_dir(root())
        .output()
        .expect("run");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mode = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| m.permissions().mode() & 0o777)
            .ok()
    };
    assert_eq!(mode(&out), Some(0o755), "the web server can list it");
    assert_eq!(mode(&dir.path().join("www")), Some(0o755), "and reach it");
    assert_eq!(mode(&out.join("visma.ics")), Some(0o644));
    assert_eq!(mode(&out.join("index.html")), Some(0o644));
}

/// Every file a web server would serve (dot files are not), with its bytes
/// and its inode (Unix; 0 elsewhere), by name.
fn published(dir: &Path) -> std::collections::BTreeMap<String, (Vec<u8>, u64)> {
    listing(dir)
        .into_iter()
        .filter(|name| !name.starts_with('.'))
        .map(|name| {
            let path = dir.join(&name);
            let bytes = std::fs::read(&path).expect("read");
            #[cfg(unix)]
            let inode = {
                use std::os::unix::fs::MetadataExt as _;
                std::fs::metadata(&path).expect("stat").ino()
            };
            #[cfg(not(unix))]
            let inode = 0;
            (name, (bytes, inode))
        })
        .collect()
}

/// `text` with `from` (which it must hold) replaced by `to`, once.
fn replaced(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not in the schedule");
    text.replacen(from, to, 1)
}

#[test]
fn a_rebuild_after_an_edit_writes_what_a_build_from_scratch_writes_and_only_what_changed() {
    let (first, next) = ("2019-10-01T08:00:00Z", "2019-10-20T08:00:00Z");
    let outages = "nedetid-2019.yaml";
    type Edit = (&'static str, &'static str, fn(&str) -> String);
    let edits: [Edit; 8] = [
        ("edit an outage", outages, |t| {
            replaced(t, "versjon 2019.2\n", "versjon 2019.2 (utsatt)\n")
        }),
        ("add an outage", outages, |t| {
            let new = "  - id: 2019-12-18-ny\n    title: Ny nedetid\n    systems: [visma, gat]\n    start: 2019-12-18 16:00\n    end: 2019-12-18 18:00\n";
            format!("{t}\n{new}")
        }),
        ("delete an outage", outages, |t| {
            // From its `- id:` to the next one.
            let start = t
                .find("  - id: 2019-05-visma-2019-1\n")
                .expect("the outage");
            let len = t[start + 1..].find("  - id:").expect("the next one") + 1;
            format!("{}{}", &t[..start], &t[start + len..])
        }),
        ("edit a rule", "vedlikehold.yaml", |t| {
            replaced(t, "title: Månedlig vedlikehold", "title: Månedlig drift")
        }),
        // What validating one file's items reads from another: the items
        // the cache holds validated are validated again.
        ("add a dependency", "innstillinger.yaml", |t| {
            replaced(
                t,
                "  - id: gat\n    name: GAT\n",
                "  - id: gat\n    name: GAT\n    depends-on: [visma]\n",
            )
        }),
        ("add a bundle", "innstillinger.yaml", |t| {
            format!("{t}\nbundles:\n  - id: lonn\n    name: Lønn\n    systems: [visma, gat]\n")
        }),
        ("change the settings", "innstillinger.yaml", |t| {
            replaced(
                t,
                "calendar-name: Planlagt nedetid",
                "calendar-name: Nedetid",
            )
        }),
        ("change the language", "innstillinger.yaml", |t| {
            replaced(t, "settings:\n", "settings:\n  language: en\n")
        }),
    ];
    for (kind, file, change) in edits {
        let src = schedules();
        let out = tempfile::tempdir().expect("tempdir");
        assert!(
            build_at(src.path(), out.path(), first).status.success(),
            "{kind}"
        );
        let before = published(out.path());
        let path = src.path().join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, change(&text)).expect("write");
        // From scratch: an empty folder with only the state of the last
        // build (the revisions carry over, as they must).
        let scratch = tempfile::tempdir().expect("tempdir");
        std::fs::copy(
            out.path().join("manifest.json"),
            scratch.path().join("manifest.json"),
        )
        .expect("copy the state");
        for dir in [out.path(), scratch.path()] {
            let run = build_at(src.path(), dir, next);
            assert!(
                run.status.success(),
                "{kind}: {}",
                String::from_utf8_lossy(&run.stderr)
            );
        }
        let (rebuilt, fresh) = (published(out.path()), published(scratch.path()));
        assert_eq!(
            rebuilt.keys().collect::<Vec<_>>(),
            fresh.keys().collect::<Vec<_>>(),
            "{kind}: the same files"
        );
        for (name, (bytes, _)) in &rebuilt {
            assert!(
                bytes == &fresh[name].0,
                "{kind}: {name} differs from a build from scratch"
            );
        }
        // Only files whose bytes changed were written (a new inode); the
        // others are the very files the last build left.
        let mut written = Vec::new();
        for (name, (bytes, inode)) in &rebuilt {
            match before.get(name) {
                Some((old, old_inode)) if old == bytes => {
                    assert_eq!(inode, old_inode, "{kind}: {name} rewritten unchanged");
                }
                _ => written.push(name.as_str()),
            }
        }
        // A new bundle is a new feed of events all.ics has as they were.
        let new_feed = if kind == "add a bundle" {
            "lonn.ics"
        } else {
            "all.ics"
        };
        assert!(written.contains(&new_feed), "{kind}: {written:?}");
        if kind == "add a dependency" {
            // Visma's events are now in GAT's feed too.
            assert!(written.contains(&"gat.ics"), "{kind}: {written:?}");
        }
        if kind == "edit an outage" {
            // Visma's outage: of the iCalendar feeds, only Visma's and
            // all.ics (what other files show every event changes too).
            let feeds: Vec<_> = written.iter().filter(|n| n.ends_with(".ics")).collect();
            assert_eq!(feeds, [&"all.ics", &"visma.ics"], "{kind}: {written:?}");
            for every in ["feeds.json", "index.html", "manifest.json"] {
                assert!(written.contains(&every), "{kind}: {written:?}");
            }
        }
        let feeds = rebuilt.keys().filter(|n| n.ends_with(".ics")).count();
        let written_feeds = written.iter().filter(|n| n.ends_with(".ics")).count();
        if kind.starts_with("change the") {
            assert_eq!(written_feeds, feeds, "{kind}: every feed changes");
            assert!(written.contains(&"index.html") && written.contains(&"feeds.json"));
        } else {
            assert!(written_feeds < feeds, "{kind}: {written:?}");
        }
    }
}

/// `.nedetid.cache` is what a build takes the events it does not render
/// from: a damaged one is not trusted (the build after it publishes what
/// rendering every event publishes), a record changed with a sound check
/// shows in what the next build publishes, and `build --check`, which
/// renders every event afresh, finds that.
#[test]
fn builds_take_unchanged_events_from_the_cache_and_check_never_does() {
    let src = schedules();
    let out = tempfile::tempdir().expect("tempdir");
    let file = src.path().join("nedetid-2019.yaml");
    let now = "2019-10-01T08:00:00Z";
    assert!(build_at(src.path(), out.path(), now).status.success());
    let path = out.path().join(".nedetid.cache");
    let events = manifest(out.path())["events"]
        .as_object()
        .map_or(0, serde_json::Map::len);
    let read = || nedetid::cache::Events::parse(std::fs::read(&path).expect("the cache"));
    assert!(read().len() >= events, "every event is cached");

    // A byte flipped in the first record: nothing after it is trusted.
    let mut bytes = std::fs::read(&path).expect("read");
    let first = nedetid::cache::MAGIC.len() + 40;
    bytes[first] ^= 0x20;
    std::fs::write(&path, &bytes).expect("damage");
    assert!(read().is_empty());
    edit(&file, "start: 2019-11-29 15:30", "start: 2019-11-29 16:00");
    assert!(build_at(src.path(), out.path(), now).status.success());
    assert_eq!(check_at(src.path(), out.path(), now), Some(0));
    assert!(read().len() >= events, "written anew");

    // Every record's body changed, each with a sound check.
    let cache = read();
    let changed: Vec<(u64, nedetid::cache::Entry)> = cache
        .entries()
        .map(|(key, e)| {
            let body = String::from_utf8_lossy(e.body.as_bytes())
                .replace("END:VEVENT\r\n", "X-CHANGED:1\r\nEND:VEVENT\r\n");
            let entry = nedetid::cache::Entry {
                body: body.into(),
                ..e.clone()
            };
            (key, entry)
        })
        .collect();
    let refs: Vec<(u64, &nedetid::cache::Entry)> = changed.iter().map(|(k, e)| (*k, e)).collect();
    let mut bytes = Vec::new();
    nedetid::cache::write(&mut bytes, &refs, cache.common()).expect("in memory");
    std::fs::write(&path, &bytes).expect("write");
    edit(&file, "start: 2019-11-29 16:00", "start: 2019-11-29 16:30");
    assert!(build_at(src.path(), out.path(), now).status.success());
    let all = std::fs::read_to_string(out.path().join("all.ics")).expect("all.ics");
    let taken = all.matches("X-CHANGED:1").count();
    assert_eq!(
        taken,
        all.matches("BEGIN:VEVENT").count() - 1,
        "every event but the edited one came from the cache"
    );
    assert_eq!(check_at(src.path(), out.path(), now), Some(4));
}

/// `.nedetid.parsed` is what a build takes a file's parsed form from when
/// the file's bytes are those it was parsed from: a record changed with a
/// sound check shows in what the next build publishes, and `build
/// --check`, which parses every file, finds that.
#[test]
fn builds_take_unchanged_files_from_the_parse_cache_and_check_never_does() {
    let src = schedules();
    let out = tempfile::tempdir().expect("tempdir");
    let now = "2019-10-01T08:00:00Z";
    assert!(build_at(src.path(), out.path(), now).status.success());
    let path = out.path().join(".nedetid.parsed");
    let file = src.path().join("nedetid-2019.yaml");
    let name = nedetid::parsed::name_of(&file);
    let bytes = std::fs::read(&file).expect("schedule");
    let cache = std::fs::read(&path).expect("the build leaves the parse cache");
    // The cache made of this file's record with parsed form `form`, then a
    // build of the schedules in `from`: what it published in all.ics.
    // Without the record of the files on disk the build does not stop
    // early, and parses (or takes from the cache) every file.
    let rebuilt_with = |form: &[u8], from: &Path| {
        let mut changed = Vec::new();
        nedetid::parsed::write(&mut changed, &[(&name, &bytes, form)], true).expect("in memory");
        std::fs::write(&path, &changed).expect("write");
        std::fs::remove_file(out.path().join(".nedetid.stat")).expect("remove");
        let run = build_at(from, out.path(), now);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        std::fs::read_to_string(out.path().join("all.ics")).expect("all.ics")
    };
    let hit = nedetid::parsed::Files::parse(&cache)
        .get(&name, &bytes)
        .expect("the file is cached");
    let (mut outages, maintenance) = hit.items().expect("its items read back");
    let title = &mut outages[0].value.title.value;
    assert!(!title.is_empty());
    *title = "Endret i mellomlageret".to_string();
    let raw = nedetid::raw::RawFile {
        outages,
        maintenance,
        ..hit.raw
    };
    let (head, items) = nedetid::parsed::encode(&raw).expect("encode");
    // Without its validated items: the file's items are validated from
    // the parsed form.
    let form = nedetid::parsed::form(&head, &items, None).expect("form");
    let all = rebuilt_with(&form, src.path());
    assert!(all.contains("Endret i mellomlageret"));
    assert_eq!(check_at(src.path(), out.path(), now), Some(4));

    // That build kept the file's validated items, under the key of what
    // validating them read from the other files; one of them changed with
    // a sound check is what the next build publishes, under that key only,
    // also from a copy of the schedules elsewhere (the key has the files'
    // names, not the folder's path).
    let cache = std::fs::read(&path).expect("the parse cache");
    let hit = nedetid::parsed::Files::parse(&cache)
        .get(&name, &bytes)
        .expect("the file is cached");
    let (key, checked) = hit.checked.expect("its validated items are kept");
    let mut items = nedetid::parsed::FileItems::decode(checked, &file).expect("they read back");
    assert_eq!(items.outages[0].0.details.title, "Endret i mellomlageret");
    items.outages[0].0.details.title = "Endret validert".to_string();
    let checked = items.encode().expect("encode");
    // The schedules are as they were: a fresh copy is the same files.
    let moved = schedules();
    for (key, taken, from) in [
        (key ^ 1, false, src.path()),
        (key, true, src.path()),
        (key, true, moved.path()),
    ] {
        let form = nedetid::parsed::form(hit.head, hit.items, Some((key, &checked))).expect("form");
        let all = rebuilt_with(&form, from);
        assert_eq!(all.contains("Endret validert"), taken, "key {key:x}");
        assert_eq!(
            all.contains("Endret i mellomlageret"),
            !taken,
            "key {key:x}"
        );
    }
    assert_eq!(check_at(src.path(), out.path(), now), Some(4));

    // Items read back are not trusted with this build's systems: one that
    // names a system there is none of is built without a panic, and the
    // feeds it reaches are made from the systems there are.
    items.outages[0].0.details.systems = vec!["ingen-slik".to_string()].into();
    let forged = items.encode().expect("encode");
    let form = nedetid::parsed::form(hit.head, hit.items, Some((key, &forged))).expect("form");
    assert!(rebuilt_with(&form, src.path()).contains("Endret validert"));
}
