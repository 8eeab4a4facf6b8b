//! `load_config` against real files in a temporary folder.

use super::*;
use crate::plan::labels::LabelTarget;
use crate::plan::GpuRequest;
use std::path::Path;
use tempfile::TempDir;

/// A folder with a `runner.yml` holding `text`, a local repository folder
/// `vision.git` and token files.
struct Setup {
    dir: TempDir,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("vision.git")).unwrap();
        std::fs::write(dir.path().join("forge.token"), "forge-secret-1\n").unwrap();
        std::fs::write(dir.path().join("nlp.token"), "nlp-secret-2\r\n").unwrap();
        std::fs::write(dir.path().join("webhook.secret"), "hook-secret-3").unwrap();
        std::fs::write(dir.path().join("empty.token"), "\n").unwrap();
        Setup { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn load(&self, text: &str) -> Result<RunnerConfig, ConfigErrors> {
        let file = self.path().join("runner.yml");
        std::fs::write(&file, text).unwrap();
        load_config(&file)
    }

    /// The (line, col, message, help) of every error, in file order.
    fn errors(&self, text: &str) -> Vec<(u32, u32, String, Option<String>)> {
        let errors = self.load(text).expect_err("errors");
        errors
            .diagnostics
            .iter()
            .map(|d| (d.span.line, d.span.col, d.message.clone(), d.help.clone()))
            .collect()
    }
}

const MINIMAL: &str = "store: store\nrepos:\n  - name: vision\n    path: vision.git\n";

#[test]
fn a_full_file_resolves_every_key() {
    let s = Setup::new();
    let config = s
        .load(
            "store: ./store
capacity: 4
gpus: [0, 1]
labels:
  ubuntu-latest: mlci/runner:bookworm-custom
  cpu: host
  gpu: { image: mlci/runner:cuda, gpus: 1 }
  Pair: { host: true, gpus: '\"device=0,1\"' }
repos:
  - name: vision
    path: vision.git
    default_branch: main
    workflows: ci/flows/
  - name: nlp
    url: https://git.example.com/acme/nlp.git
    token_file: nlp.token
listen: 0.0.0.0:9000
public_url: https://ci.example.com/
webhook_secret_file: webhook.secret
api_token_file: forge.token
status:
  gitea: https://gitea.example/api/v1/
  token_file: forge.token
notify:
  - url: https://hooks.example/a
  - url: http://hooks.example/b
    on: recovered
shutdown_timeout: 1h30m
job_timeout: 90
",
        )
        .unwrap();
    assert_eq!(config.path, s.path().join("runner.yml"));
    assert_eq!(config.store, s.path().join("store"));
    assert_eq!(config.capacity, 4);
    assert_eq!(config.gpus, ["0", "1"]);
    let target = |label: &str| config.labels.target(&[label.to_string()]).cloned();
    let image = |image: &str, gpus| LabelTarget::Image {
        image: image.into(),
        gpus,
    };
    assert_eq!(
        target("ubuntu-latest"),
        Some(image("mlci/runner:bookworm-custom", None))
    );
    assert_eq!(target("linux"), Some(image("mlci/runner:bookworm", None)));
    assert_eq!(target("cpu"), Some(LabelTarget::Host { gpus: None }));
    assert_eq!(
        target("gpu"),
        Some(image("mlci/runner:cuda", Some(GpuRequest::Count(1))))
    );
    assert_eq!(
        target("pair"),
        Some(LabelTarget::Host {
            gpus: Some(GpuRequest::Devices(vec!["0".into(), "1".into()]))
        })
    );

    let [vision, nlp] = &config.repos[..] else {
        panic!("two repos: {:?}", config.repos)
    };
    assert_eq!(vision.name, "vision");
    assert!(matches!(&vision.source, RepoSource::Path(p) if *p == s.path().join("vision.git")));
    assert_eq!(vision.default_branch.as_deref(), Some("main"));
    assert_eq!(vision.workflows, "ci/flows");
    assert_eq!(vision.slug, "vision");
    assert_eq!(nlp.workflows, ".github/workflows");
    assert_eq!(nlp.default_branch, None);
    assert_eq!(nlp.slug, "acme/nlp");
    match &nlp.source {
        RepoSource::Url { url, token } => {
            assert_eq!(url, "https://git.example.com/acme/nlp.git");
            assert_eq!(token.as_ref().map(Secret::expose), Some("nlp-secret-2"));
        }
        other => panic!("a url source, not {other:?}"),
    }

    assert_eq!(config.listen, "0.0.0.0:9000".parse().unwrap());
    assert_eq!(config.run_url(7), "https://ci.example.com/api/runs/7");
    assert_eq!(config.webhook_secret, Some(Secret::new("hook-secret-3")));
    assert_eq!(config.api_token, Some(Secret::new("forge-secret-1")));
    let status = config.status.as_ref().unwrap();
    assert_eq!(status.forge, Forge::Gitea);
    assert_eq!(status.api_url, "https://gitea.example/api/v1");
    assert_eq!(status.token.expose(), "forge-secret-1");
    let notify: Vec<_> = config
        .notify
        .iter()
        .map(|n| (n.url.as_str(), n.on_failure, n.on_recovery))
        .collect();
    assert_eq!(
        notify,
        [
            ("https://hooks.example/a", true, true),
            ("http://hooks.example/b", false, true)
        ]
    );
    assert_eq!(config.shutdown_timeout, Duration::from_secs(5400));
    assert_eq!(config.job_timeout, Some(Duration::from_secs(90)));

    let debug = format!("{config:?}");
    for secret in ["forge-secret-1", "nlp-secret-2", "hook-secret-3"] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
}

#[test]
fn defaults_fill_what_is_left_out() {
    let s = Setup::new();
    let config = s.load(MINIMAL).unwrap();
    assert_eq!(
        config.capacity,
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    assert!(config.gpus.is_empty());
    assert_eq!(config.listen, "127.0.0.1:8080".parse().unwrap());
    assert_eq!(config.run_url(7), "http://127.0.0.1:8080/api/runs/7");
    assert_eq!(config.shutdown_timeout, Duration::from_secs(300));
    assert_eq!(config.job_timeout, None);
    assert!(config.webhook_secret.is_none() && config.api_token.is_none());
    assert!(config.status.is_none() && config.notify.is_empty());
    assert_eq!(
        config.labels.resolve(&["ubuntu-latest".to_string()]),
        Some(crate::plan::RUNNER_IMAGE)
    );
}

#[test]
fn published_actions_come_from_the_configured_url() {
    let s = Setup::new();
    assert_eq!(s.load(MINIMAL).unwrap().actions_url, None);
    let text = format!(
        "{MINIMAL}actions_url: https://forge.example.com\npublished_actions: [actions/setup-python, actions/cache]\n"
    );
    let config = s.load(&text).unwrap();
    assert_eq!(config.actions_url.as_deref(), Some("https://forge.example.com"));
    assert_eq!(config.published_actions, ["actions/setup-python", "actions/cache"]);
}

#[test]
fn every_mistake_is_reported_at_once() {
    let s = Setup::new();
    let missing = format!(
        "`path:` of repository `vision`: {} does not exist",
        s.path().join("missing.git").display()
    );
    let errors = s.errors(
        "store: store
capacty: 4
gpus: [0, '', 0]
labels:
  gpu: { image: x, host: true }
  tpu: { image: x, gpus: 0 }
  arm: [a]
repos:
  - name: vision
    path: vision.git
    default_branch: 'bad..name'
    workflows: ../flows
  - name: vision
    path: missing.git
    slug: nope
  - name: 'a b'
    url: ssh://host/x.git
  - path: vision.git
    url: file:///x
    token_file: nlp.token
listen: nowhere
status:
  github: https://api.github.com
  gitea: https://gitea.example
notify:
  - url: ftp://x
    on: [failur]
shutdown_timeout: soon
job_timeout: 0s
",
    );
    let expected: Vec<(u32, u32, &str, Option<&str>)> = vec![
        (2, 1, "unknown key `capacty` in the configuration", Some("did you mean `capacity`?")),
        (3, 11, "a device in `gpus:` must not be empty", None),
        (3, 15, "`gpus:` names device `0` twice", None),
        (5, 20, "label `gpu` gives both `image:` and `host:`; give one", None),
        (6, 26, "`gpus: 0` asks for no GPUs; leave the option out instead", None),
        (7, 8, "the target of label `arm` must be an image, `host`, or a mapping with `image:` (or `host: true`) and `gpus:`, but it is a sequence", None),
        (11, 21, "`default_branch:` of repository `vision`: `bad..name` is not a valid branch name", None),
        (12, 16, "`workflows:` of repository `vision` must be a folder inside the repository, such as .github/workflows, but it is `../flows`", None),
        (13, 11, "repository name `vision` is used twice; the first is at line 9", None),
        (14, 11, &missing, None),
        (15, 11, "`slug:` of repository `vision` must be `owner/name`, but it is `nope`", None),
        (16, 11, "repository name `a b` may hold only letters, digits, `.`, `_` and `-`", None),
        (17, 10, "`url:` of this repository must be a file://, http:// or https:// URL, but it is `ssh://host/x.git`", None),
        (18, 5, "this repository is missing the required key `name`", None),
        (19, 5, "this repository gives both `path:` and `url:`; give one", None),
        (21, 9, "`listen:` must be an address and port such as 127.0.0.1:8080, but it is `nowhere`", None),
        (23, 3, "`status:` is missing the required key `token_file`", None),
        (24, 3, "`status:` gives both `github:` and `gitea:`; give one", None),
        (26, 10, "`url:` of a `notify:` entry must be a http:// or https:// URL, but it is `ftp://x`", None),
        (27, 10, "`on:` of a `notify:` entry takes failure and recovered, not `failur`", Some("did you mean `failure`?")),
        (28, 19, "`shutdown_timeout:` must be a duration such as 90s, 5m, 2h or 1h30m, or a number of seconds, but it is `soon`", None),
        (29, 14, "`job_timeout:` must be longer than 0 seconds", None),
    ];
    let expected: Vec<_> = expected
        .into_iter()
        .map(|(l, c, m, h)| (l, c, m.to_string(), h.map(str::to_string)))
        .collect();
    assert_eq!(errors, expected);
}

#[test]
fn errors_render_like_workflow_errors() {
    let s = Setup::new();
    let errors = s
        .load("store: store\nrepos:\n  - name: vision\n    path: vision.git\n    brnach: main\n")
        .unwrap_err();
    let file = s.path().join("runner.yml");
    assert_eq!(
        errors.to_string(),
        format!(
            "error: unknown key `brnach` in repository `vision`\n --> {}:5:5\n  |\n5 |     brnach: main\n  |     ^^^^^^\n",
            file.display()
        )
    );
    assert_eq!(errors.count(), 1);
}

#[test]
fn secret_files_are_read_and_their_contents_never_shown() {
    let s = Setup::new();
    std::fs::write(s.path().join("bad.token"), [0xff, 0xfe, b's']).unwrap();
    let text = format!(
        "{MINIMAL}webhook_secret_file: missing.secret\napi_token_file: empty.token\nstatus:\n  github: https://api.github.com\n  token_file: bad.token\n"
    );
    let errors = s.errors(&text);
    let at = |f: &str| s.path().join(f).display().to_string();
    assert_eq!(
        errors,
        [
            (
                5,
                22,
                format!(
                    "failed to read `webhook_secret_file:` {}: No such file or directory (os error 2)",
                    at("missing.secret")
                ),
                None
            ),
            (6, 17, format!("`api_token_file:` {} is empty", at("empty.token")), None),
            (
                9,
                15,
                format!(
                    "failed to read `token_file:` of `status:` {}: stream did not contain valid UTF-8",
                    at("bad.token")
                ),
                None
            ),
        ]
    );
}

#[test]
fn an_api_open_to_the_network_needs_a_token() {
    let s = Setup::new();
    let errors = s.errors(&format!("{MINIMAL}listen: 0.0.0.0:8080\n"));
    assert_eq!(
        errors,
        [(
            5,
            9,
            "`listen:` 0.0.0.0:8080 is not a loopback address, so `api_token_file:` is required to protect the API"
                .to_string(),
            None
        )]
    );
    let config = s.load(&format!("{MINIMAL}listen: localhost:9999\n")).unwrap();
    assert_eq!(config.listen, "127.0.0.1:9999".parse().unwrap());
    let config = s.load(&format!("{MINIMAL}listen: '[::1]:80'\n")).unwrap();
    assert!(config.api_token.is_none() && config.listen.ip().is_loopback());
}

#[test]
fn gpu_inventories_as_text_or_list() {
    let s = Setup::new();
    let gpus = |value: &str| s.load(&format!("{MINIMAL}gpus: {value}\n")).map(|c| c.gpus);
    assert_eq!(gpus("'0,1'").unwrap(), ["0", "1"]);
    assert_eq!(gpus("3").unwrap(), ["3"]);
    assert_eq!(gpus("none").unwrap(), Vec::<String>::new());
    assert_eq!(gpus("[GPU-aa, GPU-bb]").unwrap(), ["GPU-aa", "GPU-bb"]);
    let errors = s.errors(&format!("{MINIMAL}gpus: '0,,1'\n"));
    assert_eq!(
        errors,
        [(
            5,
            7,
            "`gpus: 0,,1` has an empty device id; give ids like 0,1,2,3, `auto` or `none`".to_string(),
            None
        )]
    );
}

#[test]
fn empty_and_unreadable_files_say_so() {
    let s = Setup::new();
    assert_eq!(
        s.errors("# nothing yet\n"),
        [(
            1,
            1,
            "the configuration is empty; it needs at least `store:` and `repos:`".to_string(),
            None
        )]
    );
    assert_eq!(
        s.errors("store: [\n")[0].2,
        "YAML syntax error: while parsing a node, did not find expected node content"
    );
    let missing = s.path().join("nope.yml");
    let errors = load_config(&missing).unwrap_err();
    assert_eq!(
        errors.to_string(),
        format!(
            "error: failed to read the configuration file {}: No such file or directory (os error 2)\n",
            missing.display()
        )
    );
}

#[test]
fn label_profiles_need_an_image_or_the_host() {
    let s = Setup::new();
    let errors = s.errors(&format!(
        "{MINIMAL}labels:\n  a: {{ gpus: 1 }}\n  b: {{ host: false }}\n  c: {{ image: x, gpus: two }}\n  d: {{ image: x, gpu: 1 }}\n"
    ));
    let expected = [
        (6, 6, "label `a` needs `image:` or `host: true`", None),
        (
            7,
            14,
            "`host:` of label `b` can only be true; for a container give `image:` instead",
            None,
        ),
        (
            8,
            24,
            "`gpus:` takes a count, `all` or `device=ID,...`, not `two`",
            None,
        ),
        (9, 18, "unknown key `gpu` in label `d`", Some("did you mean `gpus`?")),
    ];
    let expected: Vec<_> = expected
        .into_iter()
        .map(|(l, c, m, h)| (l, c, m.to_string(), h.map(str::to_string)))
        .collect();
    assert_eq!(errors, expected);
}

#[test]
fn container_limits_default_and_read() {
    use crate::backend::options::policy::Allowance;
    let s = Setup::new();
    let config = s.load(MINIMAL).unwrap();
    assert_eq!(config.limits.pids, Some(4096));
    // 90% of this machine's memory.
    let total_kib: i64 = std::fs::read_to_string("/proc/meminfo")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .unwrap()
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap();
    assert_eq!(config.limits.memory, Some((total_kib as f64 * 1024.0 * 0.9) as i64));
    assert!(config.repos[0].allow.is_empty());

    let config = s
        .load(&format!(
            "{MINIMAL}    allow: [privileged, host-volumes]\nlimits:\n  pids: 100\n  memory: 2g\n"
        ))
        .unwrap();
    assert_eq!(config.limits.pids, Some(100));
    assert_eq!(config.limits.memory, Some(2 << 30));
    assert_eq!(
        config.repos[0].allow,
        vec![Allowance::Privileged, Allowance::HostVolumes]
    );
    let policy = config.container_policy(&config.repos[0]);
    assert_eq!(policy.repository, "vision");

    let config = s
        .load(&format!("{MINIMAL}limits:\n  pids: none\n  memory: none\n"))
        .unwrap();
    assert_eq!(config.limits.pids, None);
    assert_eq!(config.limits.memory, None);
}

#[test]
fn container_limit_and_allow_mistakes_are_reported() {
    let s = Setup::new();
    let errors = s.errors(&format!(
        "{MINIMAL}    allow: [privileged, root]\nlimits:\n  pids: 0\n  memory: 150%\n  cpus: 2\n"
    ));
    let messages: Vec<&str> = errors.iter().map(|e| e.2.as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "`allow:` of repository `vision`: `root` is not one of privileged, host-volumes, host-network, host-ipc, devices",
            "`pids:` of `limits:` must be a whole number of at least 1, but it is 0",
            "`memory:` of `limits:` must be a size of at least 6m such as 16g, a share of the host's memory such as 80%, or `none`, but it is `150%`",
            "unknown key `cpus` in `limits:`",
        ]
    );
}

#[test]
fn slurm_as_the_backend_and_labels_mapped_to_slurm() {
    use crate::backend::slurm::Placement;
    let s = Setup::new();
    let config = s
        .load(&format!(
            "{MINIMAL}backend: slurm\nslurm:\n  partition: debug\n  account: ml\nlabels:\n  \
             gpu-a100: {{ slurm: {{ partition: gpu, constraint: a100, gpus: 1, cpus: 4, mem: 16G, time: 60 }} }}\n  \
             cluster: slurm\n  plain: {{ slurm: true }}\n"
        ))
        .unwrap();
    assert_eq!(config.backend, JobBackend::Slurm);
    assert_eq!(config.slurm, Placement::parse("partition=debug,account=ml").unwrap());
    let target = |label: &str| config.labels.target(&[label.to_string()]).cloned();
    assert_eq!(
        target("gpu-a100"),
        Some(LabelTarget::Slurm {
            placement: Placement::parse("partition=gpu,constraint=a100,gpus=1,cpus=4,mem=16G,time=60").unwrap()
        })
    );
    let defaults = Some(LabelTarget::Slurm {
        placement: Placement::default(),
    });
    assert_eq!(target("cluster"), defaults);
    assert_eq!(target("plain"), defaults);
    let plain = s.load(MINIMAL).unwrap();
    assert_eq!(plain.backend, JobBackend::Docker);
    assert_eq!(plain.slurm, Placement::default());
}

#[test]
fn slurm_mistakes_name_the_key_and_the_valid_ones() {
    let s = Setup::new();
    let errors = s.errors(&format!(
        "{MINIMAL}backend: kubernetes\nslurm:\n  zone: eu\n  cpus: 0\nlabels:\n  \
         a: {{ slurm: {{ mem: lots }} }}\n  b: {{ slurm: {{ gpus: 1 }}, gpus: 1 }}\n"
    ));
    let keys = "partition, account, qos, constraint, cpus, mem, gpus, time";
    let expected = [
        (
            5,
            10,
            "`backend:` is `docker` or `slurm`, not `kubernetes` (jobs on this machine: map their labels to `host`)"
                .to_string(),
            None,
        ),
        (
            7,
            3,
            format!("unknown key `zone` in `slurm:`; the keys are {keys}"),
            None,
        ),
        (
            8,
            9,
            "`slurm:`: `cpus=0`: `cpus` takes a number of CPUs per task, a whole number above 0".to_string(),
            None,
        ),
        (
            10,
            22,
            "`slurm:` of label `a`: `mem=lots` is not a Slurm memory size; write a number with an optional unit K, M, \
             G or T (`16G`, `500M`; a bare number is MB)"
                .to_string(),
            None,
        ),
        (
            11,
            8,
            "label `b` gives `slurm:` and `gpus:`; a Slurm label takes its GPUs inside `slurm:` (`gpus: N`), and no \
             `image:` or `host:`"
                .to_string(),
            None,
        ),
    ];
    assert_eq!(errors, expected);
}
