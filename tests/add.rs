//! `nedetid add`: an outage appended with the file's comments and blank
//! lines kept byte for byte; an invalid addition refused with a located
//! error and the file untouched; a skip and a move on a maintenance rule;
//! a missing value without a terminal is an error naming its flag.

mod common;

use std::path::Path;

use common::{PAGE_2019, nedetid};

fn copy_2019() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(common::root().join(PAGE_2019)).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, tmp.path().join(p.file_name().unwrap())).unwrap();
    }
    tmp
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn an_outage_is_appended_and_the_rest_of_the_file_is_kept_byte_for_byte() {
    let tmp = copy_2019();
    let before = read(tmp.path(), "nedetid-2019.yaml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(
            tmp.path().join("nedetid-2019.yaml"),
            std::fs::Permissions::from_mode(0o640),
        )
        .unwrap();
    }
    nedetid()
        .args(["add", "outage", "--schedules"])
        .arg(tmp.path())
        .args([
            "--now",
            "2019-06-01",
            "--id",
            "2019-12-05-skriver",
            "--title",
            "Skrivere: \"ny\" driver",
            "--systems",
            "utskrift",
            "--start",
            "2019-12-05 08:00",
            "--end",
            "2019-12-05 09:30",
            "--consequence",
            "Ingen utskrift.",
        ])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "added outage `2019-12-05-skriver`",
        ));
    let after = read(tmp.path(), "nedetid-2019.yaml");
    let added = "  - id: \"2019-12-05-skriver\"\n    title: \"Skrivere: \\\"ny\\\" driver\"\n    systems: [\"utskrift\"]\n    start: \"2019-12-05 08:00\"\n    end: \"2019-12-05 09:30\"\n    consequences: [\"Ingen utskrift.\"]\n";
    assert_eq!(after, format!("{before}{added}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(tmp.path().join("nedetid-2019.yaml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    // The other files are untouched and no temporary file is left.
    for name in ["innstillinger.yaml", "vedlikehold.yaml"] {
        assert_eq!(
            read(tmp.path(), name),
            read(&common::root().join(PAGE_2019), name)
        );
    }
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 3);
    // And the schedule has it.
    let json = common::stdout(
        nedetid()
            .args([
                "list",
                "--format",
                "json",
                "--now",
                "2019-06-01",
                "--schedules",
            ])
            .arg(tmp.path()),
    );
    assert!(
        json.contains("\"title\": \"Skrivere: \\\"ny\\\" driver\""),
        "{json}"
    );
}

#[test]
fn an_invalid_outage_is_refused_with_a_located_error_and_nothing_written() {
    let tmp = copy_2019();
    let before = read(tmp.path(), "nedetid-2019.yaml");
    let out = nedetid()
        .args(["add", "outage", "--schedules"])
        .arg(tmp.path())
        .args([
            "--now",
            "2019-06-01",
            "--id",
            "x",
            "--title",
            "X",
            "--systems",
            "gatt",
            "--start",
            "2019-12-05 08:00",
            "--end",
            "2019-12-05 07:30",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("nedetid-2019.yaml:99:15: unknown system `gatt`"),
        "{err}"
    );
    assert!(
        err.contains("nedetid-2019.yaml:101:10: the end 2019-12-05 07:30 is before the start"),
        "{err}"
    );
    assert_eq!(read(tmp.path(), "nedetid-2019.yaml"), before);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 3);
}

#[test]
fn a_missing_value_without_a_terminal_names_its_flag() {
    let tmp = copy_2019();
    nedetid()
        .args(["add", "outage", "--schedules"])
        .arg(tmp.path())
        .args(["--title", "X"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("`--id` is missing"));
}

#[test]
fn a_skip_and_a_move_go_into_the_rule_and_a_wrong_date_is_refused() {
    let tmp = copy_2019();
    let before = read(tmp.path(), "vedlikehold.yaml");
    let add = |args: &[&str]| {
        nedetid()
            .args(["add"])
            .args(args)
            .args([
                "--series",
                "manedlig-vedlikehold",
                "--now",
                "2019-06-01",
                "--schedules",
            ])
            .arg(tmp.path())
            .output()
            .unwrap()
    };
    assert!(
        add(&[
            "move",
            "--from",
            "2019-11-20",
            "--to",
            "2019-11-21",
            "--start-time",
            "17:00",
            "--end-time",
            "20:00"
        ])
        .status
        .success()
    );
    assert!(
        add(&["skip", "--date", "2019-10-16", "--reason", "Valg"])
            .status
            .success()
    );
    let after = read(tmp.path(), "vedlikehold.yaml");
    let moved = "        reason: Flyttet en uke fram på grunn av oppgraderingen av Visma Enterprise 16.–17. desember.\n";
    let want = before.replace(
        moved,
        &format!("{moved}      - from: \"2019-11-20\"\n        to: \"2019-11-21\"\n        start-time: \"17:00\"\n        end-time: \"20:00\"\n"),
    ) + "    skip:\n      - date: \"2019-10-16\"\n        reason: \"Valg\"\n";
    assert_eq!(after, want);
    // 2019-10-17 is no date of the rule: refused, located, nothing written.
    let out = add(&["skip", "--date", "2019-10-17"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("vedlikehold.yaml:") && err.contains("2019-10-17"),
        "{err}"
    );
    assert_eq!(read(tmp.path(), "vedlikehold.yaml"), after);
}

#[test]
fn in_a_terminal_the_missing_values_are_asked_for() {
    // `script` (util-linux, in every Debian) gives the command a terminal;
    // the answers are typed into it.
    let tmp = copy_2019();
    let before = read(tmp.path(), "nedetid-2019.yaml");
    let command = format!(
        "{} add outage --schedules {} --now 2019-06-01",
        env!("CARGO_BIN_EXE_nedetid"),
        tmp.path().display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(
                b"2019-12-06-nett\nNettverksarbeid\ninternett, telefoni\n2019-12-06 20:00\n2019-12-06 23:00\n\n",
            )?;
            child.wait_with_output()
        })
        .expect("script (util-linux) runs");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    for question in [
        "id (",
        "title: ",
        "systems (",
        "start, YYYY-MM-DD HH:MM (empty for an all-day outage): ",
        "end, ",
        "description (optional): ",
    ] {
        assert!(shown.contains(question), "{question}: {shown}");
    }
    assert_eq!(
        read(tmp.path(), "nedetid-2019.yaml"),
        format!(
            "{before}  - id: \"2019-12-06-nett\"\n    title: \"Nettverksarbeid\"\n    systems: [\"internett\", \"telefoni\"]\n    start: \"2019-12-06 20:00\"\n    end: \"2019-12-06 23:00\"\n"
        )
    );
}
