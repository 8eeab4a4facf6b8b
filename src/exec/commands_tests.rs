use super::*;

fn read(line: &str) -> Action {
    CommandReader::new().read(line)
}

fn s(text: &str) -> String {
    text.to_string()
}

#[test]
fn ordinary_lines_print() {
    for line in [
        "",
        "hello",
        "  indented",
        "a :: b",
        "::",
        "::x",
        ":: group::x",
        "x ::group::y",
        "#[group]x",
    ] {
        assert_eq!(read(line), Action::Print, "{line:?}");
    }
}

#[test]
fn unknown_commands_print() {
    assert_eq!(read("::foo::bar"), Action::Print);
    assert_eq!(read("::set-outputs name=a::b"), Action::Print);
    assert_eq!(read("##[foo]bar"), Action::Print);
    // The runner's internal command is not open to steps.
    assert_eq!(read("::internal-set-repo-path::x"), Action::Print);
}

#[test]
fn group_and_endgroup() {
    assert_eq!(read("::group::Build it"), Action::Group(s("Build it")));
    assert_eq!(read("::endgroup::"), Action::EndGroup);
    assert_eq!(read("::group::"), Action::Group(s("")));
}

#[test]
fn names_are_case_insensitive_and_lines_left_trimmed() {
    assert_eq!(read("::GROUP::x"), Action::Group(s("x")));
    assert_eq!(read("   \t::EndGroup::"), Action::EndGroup);
    assert_eq!(
        read("::Set-Output NAME=a::b"),
        Action::SetOutput {
            name: s("a"),
            value: s("b")
        }
    );
}

#[test]
fn line_without_closing_colons_is_output() {
    assert_eq!(read("::group"), Action::Print);
    assert_eq!(read("::error file=a.py"), Action::Print);
}

#[test]
fn data_is_unescaped() {
    assert_eq!(read("::debug::a%0Ab%0Dc%25d"), Action::Debug(s("a\nb\rc%d")));
    assert_eq!(read("::debug::x::y"), Action::Debug(s("x::y")));
}

#[test]
fn annotations_without_properties() {
    assert_eq!(read("::error::it broke"), Action::Error(s("it broke")));
    assert_eq!(read("::warning::careful"), Action::Warning(s("careful")));
    assert_eq!(read("::notice::fyi"), Action::Notice(s("fyi")));
}

#[test]
fn annotation_location_and_title() {
    assert_eq!(
        read("::error file=app.py,line=3,col=5::bad"),
        Action::Error(s("app.py:3:5: bad"))
    );
    assert_eq!(
        read("::warning file=app.py,line=3::bad"),
        Action::Warning(s("app.py:3: bad"))
    );
    assert_eq!(read("::notice file=app.py::bad"), Action::Notice(s("app.py: bad")));
    assert_eq!(read("::error title=Lint%3A E1::bad"), Action::Error(s("Lint: E1: bad")));
    assert_eq!(
        read("::error file=a.py,line=3,endLine=3,col=2,endColumn=9,title=T::m"),
        Action::Error(s("a.py:3:2-9: T: m"))
    );
    assert_eq!(
        read("::error file=a.py,line=3,endLine=7::m"),
        Action::Error(s("a.py:3-7: m"))
    );
}

#[test]
fn annotation_property_keys_are_case_insensitive() {
    assert_eq!(read("::error FILE=a.py,Line=3::m"), Action::Error(s("a.py:3: m")));
}

#[test]
fn invalid_annotation_locations_are_dropped() {
    // Line and column need a file to point anywhere.
    assert_eq!(read("::error line=3,col=4::m"), Action::Error(s("m")));
    // A column without a line.
    assert_eq!(read("::error file=a.py,col=4::m"), Action::Error(s("a.py: m")));
    // An end line alone stands for the line, an end column for the column.
    assert_eq!(
        read("::error file=a.py,endLine=8,endColumn=2::m"),
        Action::Error(s("a.py:8:2: m"))
    );
    // Columns across several lines.
    assert_eq!(
        read("::error file=a.py,line=3,endLine=5,col=1::m"),
        Action::Error(s("a.py:3-5: m"))
    );
    // An end before its start.
    assert_eq!(
        read("::error file=a.py,line=5,endLine=3::m"),
        Action::Error(s("a.py: m"))
    );
    assert_eq!(
        read("::error file=a.py,line=5,col=9,endColumn=3::m"),
        Action::Error(s("a.py:5: m"))
    );
    // Not numbers.
    assert_eq!(read("::error file=a.py,line=three::m"), Action::Error(s("a.py: m")));
}

#[test]
fn spaces_after_commas_make_unknown_keys_as_on_github() {
    assert_eq!(read("::error file=a.py, line=3::m"), Action::Error(s("a.py: m")));
}

#[test]
fn set_output_and_save_state() {
    assert_eq!(
        read("::set-output name=result::42"),
        Action::SetOutput {
            name: s("result"),
            value: s("42")
        }
    );
    assert_eq!(
        read("::save-state name=pid::7"),
        Action::SaveState {
            name: s("pid"),
            value: s("7")
        }
    );
    assert_eq!(
        read("::set-output name=x::"),
        Action::SetOutput {
            name: s("x"),
            value: s("")
        }
    );
    assert_eq!(
        read("::set-output name=a%2Cb::v%0Aw"),
        Action::SetOutput {
            name: s("a,b"),
            value: s("v\nw")
        }
    );
}

#[test]
fn set_output_deprecation_text() {
    let action = read("::set-output name=a::b");
    let warning = action.deprecation().unwrap_or_default();
    assert!(
        warning.starts_with("The `set-output` command is deprecated and will be disabled soon."),
        "{warning}"
    );
    assert!(read("::save-state name=a::b")
        .deprecation()
        .is_some_and(|w| w.contains("`save-state`")));
    assert_eq!(read("::group::x").deprecation(), None);
}

#[test]
fn set_output_without_name_fails() {
    assert_eq!(
        read("::set-output::v"),
        Action::Failed(s(
            "Unable to process command '::set-output::v' successfully. Required field 'name' is missing in ##[set-output] command."
        ))
    );
    assert_eq!(
        read("::save-state name=::v"),
        Action::Failed(s(
            "Unable to process command '::save-state name=::v' successfully. Required field 'name' is missing in ##[save-state] command."
        ))
    );
}

#[test]
fn add_mask() {
    assert_eq!(read("::add-mask::hunter2"), Action::Mask(s("hunter2")));
    assert_eq!(read("::add-mask::a%0Ab"), Action::Mask(s("a\nb")));
}

#[test]
fn add_mask_of_nothing_warns() {
    let warning = Action::Warning(s("Can't add secret mask for empty string in ##[add-mask] command."));
    assert_eq!(read("::add-mask::"), warning);
    assert_eq!(read("::add-mask::   "), warning);
}

#[test]
fn legacy_form() {
    assert_eq!(read("##[group]Title"), Action::Group(s("Title")));
    assert_eq!(
        read("##[set-output name=a]b%3B%5D"),
        Action::SetOutput {
            name: s("a"),
            value: s("b;]")
        }
    );
    assert_eq!(read("##[error file=a.py;line=2]m"), Action::Error(s("a.py:2: m")));
    assert_eq!(read("some text ##[warning]w"), Action::Warning(s("w")));
}

#[test]
fn set_env_and_add_path_are_disabled() {
    let Action::Failed(message) = read("::set-env name=A::b") else {
        panic!("set-env should fail");
    };
    assert!(
        message.starts_with(
            "Unable to process command '::set-env name=A::b' successfully. The `set-env` command is disabled."
        ),
        "{message}"
    );
    assert!(message.contains("ACTIONS_ALLOW_UNSECURE_COMMANDS"), "{message}");
    let Action::Failed(message) = read("::add-path::/opt/bin") else {
        panic!("add-path should fail");
    };
    assert!(message.contains("The `add-path` command is disabled."), "{message}");
}

#[test]
fn set_env_and_add_path_when_allowed() {
    let mut reader = CommandReader::allowing_unsecure(true);
    assert_eq!(
        reader.read("::set-env name=A::b"),
        Action::SetEnv {
            name: s("A"),
            value: s("b")
        }
    );
    assert_eq!(reader.read("::add-path::/opt/bin"), Action::AddPath(s("/opt/bin")));
    assert_eq!(
        reader.read("::set-env name=node_options::x"),
        Action::Error(s(
            "Can't update NODE_OPTIONS environment variable using ::set-env:: command."
        ))
    );
    assert!(
        matches!(reader.read("::set-env::b"), Action::Failed(m) if m.ends_with("Required field 'name' is missing in ##[set-env] command."))
    );
    assert!(matches!(reader.read("::add-path::"), Action::Failed(_)));
    let mut reader = CommandReader::allowing_unsecure(false);
    assert!(matches!(reader.read("::set-env name=A::b"), Action::Failed(_)));
}

#[test]
fn matchers_and_echo_show_nothing() {
    assert_eq!(read("::add-matcher::.github/problem.json"), Action::Hidden);
    assert_eq!(read("::remove-matcher owner=eslint::"), Action::Hidden);
    assert_eq!(read("::echo::on"), Action::Hidden);
    assert_eq!(read("::echo::OFF"), Action::Hidden);
    assert_eq!(
        read("::add-matcher::"),
        Action::Warning(s("File path must be specified."))
    );
}

#[test]
fn invalid_echo_value_fails() {
    assert_eq!(
        read("::echo::maybe"),
        Action::Failed(s(
            "Unable to process command '::echo::maybe' successfully. Invalid echo command value. Possible values can be: 'on', 'off'. Current value is: 'maybe'."
        ))
    );
}

#[test]
fn stop_commands_until_the_token() {
    let mut reader = CommandReader::new();
    assert_eq!(
        reader.read("::stop-commands::my-token-123"),
        Action::StopCommands {
            token: s("my-token-123")
        }
    );
    assert_eq!(reader.read("::set-output name=a::b"), Action::Print);
    assert_eq!(reader.read("::add-mask::x"), Action::Print);
    assert_eq!(reader.read("::error::x"), Action::Print);
    assert_eq!(reader.read("##[group]x"), Action::Print);
    assert_eq!(reader.read("::stop-commands::other-token"), Action::Print);
    assert_eq!(reader.read("::my-token-123"), Action::Print);
    // GitHub shows the resume line too.
    assert_eq!(reader.read("::my-token-123::"), Action::Print);
    assert_eq!(
        reader.read("::set-output name=a::b"),
        Action::SetOutput {
            name: s("a"),
            value: s("b")
        }
    );
    // The token is no command once commands resumed.
    assert_eq!(reader.read("::my-token-123::"), Action::Print);
}

#[test]
fn resume_token_matches_like_a_command_name() {
    let mut reader = CommandReader::new();
    reader.read("::stop-commands::Tok%3Aen-ÄBC");
    // Data keeps %3A, so the token is the text as written.
    assert_eq!(reader.read("::tok:en-äbc::"), Action::Print);
    assert_eq!(reader.read("::tok%3aen-abc::"), Action::Print);
    assert_eq!(reader.read("::group::still stopped"), Action::Print);
    assert_eq!(reader.read("::TOK%3AEN-äbc prop=1::anything"), Action::Print);
    assert_eq!(reader.read("::group::x"), Action::Group(s("x")));

    let mut reader = CommandReader::new();
    reader.read("::stop-commands::resume1");
    reader.read("##[RESUME1]");
    assert_eq!(reader.read("::endgroup::"), Action::EndGroup);
}

#[test]
fn unsafe_stop_tokens_fail_and_do_not_stop() {
    for line in [
        "::stop-commands::",
        "::stop-commands::pause-logging",
        "::stop-commands::Group",
        "::stop-commands::set-output",
    ] {
        let mut reader = CommandReader::new();
        let Action::Failed(message) = reader.read(line) else {
            panic!("{line:?} should fail");
        };
        assert!(
            message.starts_with("You cannot use a endToken that is an empty string"),
            "{message}"
        );
        assert_eq!(reader.read("::group::x"), Action::Group(s("x")), "{line:?}");
    }
}

#[test]
fn echo_shows_command_lines() {
    let mut reader = CommandReader::new();
    reader.read("::group::a");
    assert_eq!(reader.echoed("::group::a"), None);
    reader.read("::echo::on");
    // The line that turned echo on was read while it was off.
    assert_eq!(reader.echoed("::echo::on"), None);
    for line in [
        "::group::a",
        "::endgroup::",
        "::set-output name=a::b",
        "::add-matcher::x",
        "::echo::off",
    ] {
        reader = reader.clone().with_echo(true);
        reader.read(line);
        assert_eq!(reader.echoed(line), Some(line), "{line:?}");
    }
    // The last line turned echo off.
    reader.read("::group::a");
    assert_eq!(reader.echoed("::group::a"), None);
}

#[test]
fn echo_never_shows_secrets_or_annotations() {
    let mut reader = CommandReader::new().with_echo(true);
    assert_eq!(reader.read("::add-mask::hunter2"), Action::Mask(s("hunter2")));
    assert_eq!(reader.echoed("::add-mask::hunter2"), Some("::add-mask::***"));
    for line in [
        "::error::e",
        "::warning::w",
        "::notice::n",
        "::debug::d",
        "plain",
        "::stop-commands::abcdefg",
    ] {
        reader.read(line);
        assert_eq!(reader.echoed(line), None, "{line:?}");
    }
}

#[test]
fn echo_on_from_the_start() {
    let mut reader = CommandReader::new().with_echo(true);
    reader.read("::group::a");
    assert_eq!(reader.echoed("::group::a"), Some("::group::a"));
}
