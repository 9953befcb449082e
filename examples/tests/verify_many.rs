//! `notation verify` with several references, `--references-from` and
//! `-o json` (beyond the reference CLI, which verifies one reference per
//! process), against real components: Debian's `docker-registry` (no
//! referrers API: the tag schema), the in-process registry that serves the
//! referrers API (to the OCI distribution spec; no installable registry
//! here has it), a second `docker-registry` that is stopped, and an OCI
//! image layout. Every verdict is checked in text and in JSON with 1, 2
//! and 8 references at once, and the JSON validated against the committed
//! schema. One reference still prints exactly as the reference does
//! (golden.rs).

mod common;
#[path = "../../notation-oci/tests/support/json_schema.rs"]
mod json_schema;
#[path = "../../notation-oci/tests/support/mod.rs"]
mod support;

use common::{Env, Run};
use json_schema::Schema;
use notation_oci::registry::RegistryClient;
use serde_json::Value;
use support::batch_fixture::{self as fixture, Case};
use support::oci_registry::OciRegistry;
use support::registry::{Auth, Registry};

struct World {
    _distribution: Registry,
    _oci: OciRegistry,
    env: Env,
    cases: Vec<Case>,
}

fn world() -> World {
    let distribution = Registry::start(Auth::None);
    let oci = OciRegistry::start();
    let stopped = Registry::start(Auth::None);
    let stopped_host = stopped.host().to_string();
    drop(stopped);
    let client = RegistryClient::new().unwrap();
    let mut cases = fixture::populate(&client, distribution.host());
    cases.extend(fixture::populate(&client, &oci.host()));
    cases.push(fixture::stopped_case(&stopped_host));
    let env = Env::new();
    fixture::write_config(&env.config(), &[distribution.host(), &oci.host()]);
    World {
        _distribution: distribution,
        _oci: oci,
        env,
        cases,
    }
}

fn args<'a>(flags: &[&'a str], cases: &'a [Case]) -> Vec<&'a str> {
    let mut args = vec!["verify", "--insecure-registry"];
    args.extend_from_slice(flags);
    args.extend(cases.iter().map(|c| c.reference.as_str()));
    args
}

fn json_report(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr))
}

/// Checks the text report: one line per reference in input order, its
/// outcome first, what it says for each outcome, then the summary.
#[track_caller]
fn check_text(run: &Run, cases: &[Case]) {
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), cases.len() + 1, "{}", run.stdout);
    for (line, case) in lines.iter().zip(cases) {
        let head = format!("{:<8}  {}", case.outcome, case.reference);
        assert!(
            line.starts_with(&head),
            "{line:?} should start with {head:?}"
        );
        if let Some(digest) = &case.digest
            && !case.reference.ends_with(digest.as_str())
        {
            assert!(line.contains(&format!(" ({digest}): ")), "{line}");
        }
        match case.outcome {
            "verified" => assert!(
                line.ends_with(&format!(": signed by {:?}", case.signer.unwrap())),
                "{line}"
            ),
            "skipped" => assert!(
                line.ends_with(&format!(
                    ": trust policy {:?} skips verification",
                    fixture::SKIP_POLICY
                )),
                "{line}"
            ),
            "failed" => assert!(
                line.contains(&format!("): {}: ", case.check.unwrap())),
                "{line}"
            ),
            "unsigned" => assert!(line.contains("no signature is associated with"), "{line}"),
            "error" => assert!(line.contains("failed to get manifest descriptor"), "{line}"),
            other => panic!("{other}"),
        }
    }
    let count = |o: &str| cases.iter().filter(|c| c.outcome == o).count();
    assert_eq!(
        *lines.last().unwrap(),
        format!(
            "{} references: {} verified, {} skipped, {} failed, {} unsigned, {} errors",
            cases.len(),
            count("verified"),
            count("skipped"),
            count("failed"),
            count("unsigned"),
            count("error")
        )
    );
    // The report says it all: nothing on standard error.
    assert_eq!(run.stderr, "", "{}", run.stderr);
}

#[test]
fn every_verdict_in_text_and_json_with_1_2_and_8_at_once() {
    let world = world();
    let schema = Schema::load(&fixture::schema_path());
    for concurrency in ["1", "2", "8"] {
        let json = world
            .env
            .run(&args(
                &["-o", "json", "--concurrency", concurrency],
                &world.cases,
            ))
            .failure();
        assert_eq!(json.stderr, "", "{}", json.stderr);
        let report = json_report(&json);
        schema.assert_valid(&report);
        fixture::check_report(&report, &world.cases);
        let text = world
            .env
            .run(&args(&["--concurrency", concurrency], &world.cases))
            .failure();
        check_text(&text, &world.cases);
    }
}

#[test]
fn exit_status_zero_when_every_reference_verified_or_skipped() {
    let world = world();
    let passing: Vec<Case> = world
        .cases
        .iter()
        .filter(|c| matches!(c.outcome, "verified" | "skipped"))
        .cloned()
        .collect();
    let run = world.env.run(&args(&[], &passing)).success();
    check_text(&run, &passing);
    let run = world.env.run(&args(&["-o", "json"], &passing)).success();
    let report = json_report(&run);
    assert_eq!(report["passed"], true);
    fixture::check_report(&report, &passing);
    // Any one reference that does not pass makes it 1.
    for bad in world
        .cases
        .iter()
        .filter(|c| !matches!(c.outcome, "verified" | "skipped"))
    {
        let mut list = passing.clone();
        list.insert(1, bad.clone());
        let run = world.env.run(&args(&["-o", "json"], &list)).failure();
        fixture::check_report(&json_report(&run), &list);
    }
}

#[test]
fn a_few_hundred_mixed_references_from_a_file_and_from_standard_input() {
    let world = world();
    let cases: Vec<Case> = world.cases.iter().cycle().take(300).cloned().collect();
    let mut list = String::from("# references to verify\n\n");
    for (i, case) in cases.iter().enumerate() {
        list.push_str(&case.reference);
        list.push('\n');
        if i % 50 == 0 {
            list.push_str("   \n# a comment line\n");
        }
    }
    let file = world.env.write("refs.txt", &list);
    let schema = Schema::load(&fixture::schema_path());
    let run = world
        .env
        .run(&[
            "verify",
            "--insecure-registry",
            "-o",
            "json",
            "--references-from",
            file.to_str().unwrap(),
        ])
        .failure();
    let report = json_report(&run);
    schema.assert_valid(&report);
    fixture::check_report(&report, &cases);
    // Standard input, after references on the command line.
    let run = world.env.run_with_input(
        &[
            "verify",
            "--insecure-registry",
            "--references-from",
            "-",
            &world.cases[0].reference,
        ],
        &list,
    );
    let mut expected = vec![world.cases[0].clone()];
    expected.extend(cases);
    check_text(&run.failure(), &expected);
}

#[test]
fn user_metadata_is_required_of_every_reference() {
    let world = world();
    let signed: Vec<Case> = world
        .cases
        .iter()
        .filter(|c| c.outcome == "verified")
        .cloned()
        .collect();
    let present = format!("{}={}", fixture::METADATA.0, fixture::METADATA.1);
    let run = world.env.run(&args(&["-m", &present], &signed)).success();
    check_text(&run, &signed);
    let absent = format!("{}=red", fixture::METADATA.0);
    let run = world
        .env
        .run(&args(&["-o", "json", "-m", &absent], &signed))
        .failure();
    let report = json_report(&run);
    Schema::load(&fixture::schema_path()).assert_valid(&report);
    for result in report["results"].as_array().unwrap() {
        assert_eq!(result["outcome"], "failed", "{result}");
        let failed = result["failedSignatures"].as_array().unwrap();
        assert_eq!(failed.last().unwrap()["check"], "userMetadata", "{result}");
    }
}

#[test]
fn several_references_into_one_oci_layout() {
    let env = Env::new();
    fixture::write_config(&env.config(), &[]);
    let layout = env.path("layout");
    let cases = fixture::populate_layout(&layout);
    let mut args = vec![
        "verify",
        "--oci-layout",
        "--scope",
        "local/app",
        "-o",
        "json",
    ];
    args.extend(cases.iter().map(|c| c.reference.as_str()));
    let report = json_report(&env.run(&args).failure());
    Schema::load(&fixture::schema_path()).assert_valid(&report);
    fixture::check_report(&report, &cases);
    // A scope the policy skips: every reference skipped, status 0.
    let mut args = vec!["verify", "--oci-layout", "--scope", "local/skipped"];
    args.extend(cases.iter().map(|c| c.reference.as_str()));
    let run = env.run(&args).success();
    assert!(run.stdout.ends_with(&format!(
        "{} references: 0 verified, {} skipped, 0 failed, 0 unsigned, 0 errors\n",
        cases.len(),
        cases.len()
    )));
}

#[test]
fn one_reference_as_json_is_a_report_of_one() {
    let world = world();
    let case = &world.cases[0];
    let run = world
        .env
        .run(&[
            "verify",
            "--insecure-registry",
            "-o",
            "json",
            &case.reference,
        ])
        .success();
    let report = json_report(&run);
    fixture::check_report(&report, std::slice::from_ref(case));
    // Without -o json: the reference's output.
    let run = world
        .env
        .run(&["verify", "--insecure-registry", &case.reference])
        .success();
    assert!(
        run.stdout
            .starts_with("Successfully verified signature for "),
        "{}",
        run.stdout
    );
}

#[test]
fn bad_flags_and_lists_are_usage_errors() {
    let env = Env::new();
    for (args, error) in [
        (
            vec!["verify", "--concurrency", "0", "localhost:5000/a:v1"],
            "Error: concurrency value 0 must be between 1 and 256\n",
        ),
        (
            vec!["verify", "--concurrency", "257", "localhost:5000/a:v1"],
            "Error: concurrency value 257 must be between 1 and 256\n",
        ),
        (
            vec![
                "verify",
                "-o",
                "yaml",
                "localhost:5000/a:v1",
                "localhost:5000/b:v1",
            ],
            "Error: unrecognized output format yaml\n",
        ),
        (
            vec!["verify", "--references-from", "missing.txt"],
            "Error: failed to read the references list missing.txt: no such file or directory\n",
        ),
    ] {
        let run = env.run(&args).failure();
        assert_eq!(run.stderr, error, "{args:?}");
        assert_eq!(run.stdout, "");
    }
    env.write("empty.txt", "# nothing\n\n");
    let run = env
        .run(&["verify", "--references-from", "empty.txt"])
        .failure();
    assert_eq!(
        run.stderr,
        "Error: no reference to verify: the references list empty.txt is empty\n"
    );
    // More than 100 000 references: refused before anything is verified
    // (each holds a result in memory).
    env.write("many.txt", "localhost:5000/a:v1\n".repeat(100_001));
    let run = env
        .run(&["verify", "--references-from", "many.txt"])
        .failure();
    assert_eq!(
        run.stderr,
        "Error: 100001 references to verify: at most 100000 in one run\n"
    );
    assert_eq!(run.stdout, "");
    // No reference at all: the reference's message.
    let run = env.run(&["verify"]).failure();
    assert!(run.stderr.starts_with(
        "Error: missing reference to the artifact: use `notation verify --help` to see what parameters are required"
    ));
}
