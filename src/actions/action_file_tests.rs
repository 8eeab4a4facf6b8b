use super::*;
use tempfile::TempDir;

/// A directory holding `file_name` with `text`.
fn dir_with(file_name: &str, text: &str) -> TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join(file_name), text).expect("write the action");
    dir
}

/// The error for an `action.yml` holding `text`, and the file's path as shown.
fn error_for(text: &str) -> (String, String) {
    let dir = dir_with("action.yml", text);
    let error = load_action(dir.path()).expect_err("the action has errors");
    (error, dir.path().join("action.yml").display().to_string())
}

const VALID: &str = "\
name: 'Greet'
description: 'Says hello'
author: someone
branding:
  icon: sun
inputs:
  who:
    description: whom to greet
    required: false
    default: 'world'
  token:
    required: true
  count:
    default: 3
  bare:
outputs:
  greeting:
    description: the greeting
    value: ${{ steps.hello.outputs.greeting }}
runs:
  using: composite
  steps:
    - id: hello
      run: echo \"greeting=hi ${{ inputs.who }}\" >> \"$GITHUB_OUTPUT\"
      shell: bash
    - uses: ./other
      with:
        level: 2
";

#[test]
fn reads_a_composite_action() {
    let dir = dir_with("action.yml", VALID);
    let action = load_action(dir.path()).expect("a valid action");
    assert_eq!(action.name, "Greet");
    let input = |name: &str, default: Option<&str>, required| ActionInput {
        name: name.to_string(),
        default: default.map(str::to_string),
        required,
    };
    assert_eq!(
        action.inputs,
        vec![
            input("who", Some("world"), false),
            input("token", None, true),
            input("count", Some("3"), false),
            input("bare", None, false),
        ]
    );
    assert_eq!(action.outputs.len(), 1);
    let (name, value) = &action.outputs[0];
    assert_eq!(name, "greeting");
    assert_eq!(value.value, "${{ steps.hello.outputs.greeting }}");
    assert_eq!((value.span.line, value.span.col), (19, 12));

    assert_eq!(action.steps().len(), 2);
    let hello = &action.steps()[0];
    assert_eq!(hello.id.as_ref().map(|i| i.value.as_str()), Some("hello"));
    assert_eq!(
        hello.run.as_ref().map(|t| t.value.as_str()),
        Some("echo \"greeting=hi ${{ inputs.who }}\" >> \"$GITHUB_OUTPUT\"")
    );
    assert_eq!(hello.shell.as_ref().map(|t| t.value.as_str()), Some("bash"));
    let nested = &action.steps()[1];
    assert_eq!(nested.uses.as_ref().map(|t| t.value.as_str()), Some("./other"));
    assert_eq!(nested.with.get("level").map(|t| t.value.as_str()), Some("2"));
    assert!(nested.run.is_none());
}

#[test]
fn reads_action_yaml_and_prefers_action_yml() {
    let dir = dir_with("action.yaml", VALID);
    assert_eq!(load_action(dir.path()).expect("action.yaml is read").name, "Greet");
    std::fs::write(
        dir.path().join("action.yml"),
        VALID.replace("name: 'Greet'", "name: 'Preferred'"),
    )
    .expect("write action.yml");
    assert_eq!(load_action(dir.path()).expect("action.yml is read").name, "Preferred");
}

#[test]
fn an_unnamed_action_is_named_by_its_directory() {
    let dir = dir_with("action.yml", "runs:\n  using: composite\n  steps: []\n");
    let action = load_action(dir.path()).expect("a valid action");
    assert_eq!(action.name, dir.path().display().to_string());
    assert!(action.inputs.is_empty() && action.outputs.is_empty() && action.steps().is_empty());
}

#[test]
fn using_is_case_insensitive() {
    let dir = dir_with("action.yml", "runs:\n  using: Composite\n  steps:\n    - uses: ./x\n");
    assert_eq!(load_action(dir.path()).expect("a valid action").steps().len(), 1);
}

#[test]
fn a_directory_without_an_action_file_is_an_error() {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::create_dir(dir.path().join("action.yml")).expect("a directory named like the file");
    assert_eq!(
        load_action(dir.path()).expect_err("no action file"),
        format!("there is no action.yml or action.yaml in {}", dir.path().display())
    );
}

#[test]
fn load_local_action_resolves_uses_against_the_workspace() {
    let workspace = tempfile::tempdir().expect("a temp dir");
    let action_dir = workspace.path().join("actions").join("greet");
    std::fs::create_dir_all(&action_dir).expect("the action's directory");
    std::fs::write(action_dir.join("action.yml"), VALID).expect("write the action");
    let action = load_local_action(workspace.path(), "./actions/greet").expect("a valid action");
    assert_eq!(action.name, "Greet");

    assert_eq!(
        load_local_action(workspace.path(), "./.github/actions/missing").expect_err("no action"),
        "local action ./.github/actions/missing not found: \
         no action.yml or action.yaml at .github/actions/missing in the workspace"
    );
}

#[test]
fn errors_in_a_local_action_name_its_file_as_the_repository_has_it() {
    let workspace = tempfile::tempdir().expect("a temp dir");
    let action_dir = workspace.path().join(".github/actions/bad");
    std::fs::create_dir_all(&action_dir).expect("the action's directory");
    std::fs::write(action_dir.join("action.yml"), "runs:\n  using: node20\n").expect("write the action");
    let error = load_local_action(workspace.path(), "./.github/actions/bad/").expect_err("no main");
    assert!(error.contains(" --> .github/actions/bad/action.yml:2:3\n"), "{error}");
    let root = workspace.path().display().to_string();
    assert!(!error.contains(&root), "the workspace's place leaks: {error}");
}

#[test]
fn reads_a_javascript_action() {
    let dir = dir_with(
        "action.yml",
        "name: js\noutputs:\n  time:\n    description: when\nruns:\n  using: Node20\n  main: dist/index.js\n  \
         pre: dist/setup.js\n  post: dist/cleanup.js\n  post-if: success()\n",
    );
    let action = load_action(dir.path()).expect("a valid action");
    let Runs::Node(node) = &action.runs else {
        panic!("not a JavaScript action: {action:?}")
    };
    assert_eq!(
        (
            node.using.as_str(),
            node.main.as_str(),
            node.pre.as_deref(),
            node.post.as_deref()
        ),
        (
            "node20",
            "dist/index.js",
            Some("dist/setup.js"),
            Some("dist/cleanup.js")
        )
    );
    assert_eq!(node.post_if.as_ref().map(|t| t.value.as_str()), Some("success()"));
    assert!(node.pre_if.is_none());
    assert!(action.outputs.is_empty(), "a JavaScript action's outputs have no value");
}

#[test]
fn reads_a_docker_action() {
    let text = "runs:\n  using: 'docker'\n  image: Dockerfile\n  args:\n    - ${{ inputs.who }}\n    - two\n  \
                env:\n    MODE: fast\n  entrypoint: /main.sh\n  pre-entrypoint: /pre.sh\n  post-entrypoint: /post.sh\n";
    let dir = dir_with("action.yml", text);
    let action = load_action(dir.path()).expect("a valid action");
    let Runs::Docker(docker) = &action.runs else {
        panic!("not a Docker action: {action:?}")
    };
    assert_eq!(docker.image, "Dockerfile");
    let args: Vec<&str> = docker.args.iter().map(|a| a.value.as_str()).collect();
    assert_eq!(args, ["${{ inputs.who }}", "two"]);
    assert_eq!(docker.env.len(), 1);
    assert_eq!(
        (docker.env[0].0.as_str(), docker.env[0].1.value.as_str()),
        ("MODE", "fast")
    );
    assert_eq!(
        (
            docker.entrypoint.as_deref(),
            docker.pre_entrypoint.as_deref(),
            docker.post_entrypoint.as_deref()
        ),
        (Some("/main.sh"), Some("/pre.sh"), Some("/post.sh"))
    );
}

#[test]
fn a_javascript_action_needs_main_and_a_docker_action_an_image() {
    let (error, path) = error_for("runs:\n  using: node24\n");
    assert!(
        error.starts_with(&format!(
            "error: `runs` is missing the required key `main`\n --> {path}:2:3\n"
        )),
        "{error}"
    );
    let (error, path) = error_for("runs:\n  using: docker\n  args: [a]\n");
    assert!(
        error.starts_with(&format!(
            "error: `runs` is missing the required key `image`\n --> {path}:2:3\n"
        )),
        "{error}"
    );
}

#[test]
fn a_misspelled_using_gets_a_suggestion() {
    let (error, path) = error_for("runs:\n  using: composit\n  steps: []\n");
    assert_eq!(
        error,
        format!(
            "error: `runs.using: composit` is not a kind of action; it is one of composite, node12, node16, node20, \
             node24, docker\n --> {path}:2:10\n  |\n\
             2 |   using: composit\n  |          ^^^^^^^^\n  = help: did you mean `composite`?\n"
        )
    );
}

#[test]
fn a_run_step_needs_a_shell() {
    let (error, path) = error_for("runs:\n  using: composite\n  steps:\n    - id: hi\n      run: echo hi\n");
    assert_eq!(
        error,
        format!(
            "error: Required property is missing: shell\n --> {path}:4:7\n  |\n4 |     - id: hi\n  |       ^^^^^^\n  \
             = help: step 1 of the action runs a script; in a composite action every `run` step names its shell, \
             e.g. `shell: bash`\n"
        )
    );
}

#[test]
fn unknown_top_level_keys_get_a_suggestion() {
    let (error, path) = error_for("input:\n  who: {}\nruns:\n  using: composite\n  steps: []\n");
    assert_eq!(
        error,
        format!(
            "error: unknown key `input` in the action\n --> {path}:1:1\n  |\n1 | input:\n  | ^^^^^\n  \
             = help: did you mean `inputs`?\n"
        )
    );
}

#[test]
fn runs_is_required() {
    let (error, path) = error_for("name: nothing to run\n");
    assert_eq!(
        error,
        format!(
            "error: the action is missing the required key `runs`\n --> {path}:1:1\n  |\n\
             1 | name: nothing to run\n  | ^\n"
        )
    );
}

#[test]
fn an_empty_file_is_an_error() {
    let (error, path) = error_for("# nothing yet\n");
    assert_eq!(
        error,
        format!("error: the action file is empty\n --> {path}:1:1\n  |\n1 | # nothing yet\n  | ^\n")
    );
}

#[test]
fn yaml_syntax_errors_point_at_their_line() {
    let (error, path) = error_for("runs:\n  using: composite\n  steps: [\n");
    assert!(error.starts_with("error: YAML syntax error"), "{error}");
    assert!(error.contains(&format!("--> {path}:4:1\n")), "{error}");
}

#[test]
fn step_rules_speak_of_the_action() {
    let (error, path) = error_for(
        "runs:\n  using: composite\n  steps:\n    - run: echo\n      uses: ./x\n      shell: bash\n      naem: x\n",
    );
    assert_eq!(
        error,
        format!(
            "error: step 1 of the action has both `run` and `uses`; a step does one or the other\n \
             --> {path}:4:12\n  |\n4 |     - run: echo\n  |            ^^^^\n\n\
             error: unknown key `naem` in step 1 of the action\n --> {path}:7:7\n  |\n\
             7 |       naem: x\n  |       ^^^^\n  = help: did you mean `name`?\n"
        )
    );
}

#[test]
fn every_problem_is_reported_in_file_order() {
    let (error, path) = error_for(
        "\
inputs:
  who:
    defualt: world
outputs:
  greeting:
    description: no value
runs:
  using: composite
  post: cleanup.sh
  steps:
    - id: same
      uses: ./a
      timeout-minutes: 5
    - id: Same
      uses: ./b
",
    );
    let headlines: Vec<(&str, String)> = error
        .split("\n\n")
        .map(|block| {
            let mut lines = block.lines();
            let message = lines.next().unwrap_or_default();
            let at = lines.next().unwrap_or_default().trim().replace(&path, "FILE");
            (message, at)
        })
        .collect();
    let expected = [
        ("error: unknown key `defualt` in input `who`", "--> FILE:3:5"),
        (
            "error: output `greeting` is missing the required key `value`",
            "--> FILE:5:3",
        ),
        (
            "error: unknown key `post` in `runs` of a composite action",
            "--> FILE:9:3",
        ),
        (
            "error: `timeout-minutes` is not supported in a composite action's steps",
            "--> FILE:13:24",
        ),
        ("error: step id `Same` is used twice in the action", "--> FILE:14:11"),
    ];
    assert_eq!(
        headlines,
        expected.map(|(m, at)| (m, at.to_string())).to_vec(),
        "{error}"
    );
    assert!(error.contains("= help: did you mean `default`?"), "{error}");
}
