//! An evaluation cut into shards, each shard's runs written to a shard file
//! and read back, merges into exactly the evaluation one process computes.

use accord_seed::Shard;
use accord_sim::evaluation::{
    EvaluationPlan, Progress, Sources, configurations, evaluate, evaluate_recorded, shard_runs,
};
use accord_sim::shard::{EvaluationJob, Input, Job, ShardFile, ShardHeader, merge};
use accord_sim::{RunResult, World};

const PROTOCOL: &str = include_str!("../../../examples/protocols/global-protocol.toml");
const WORLD: &str = include_str!("../../../examples/worlds/frontier-labs.toml");

fn plan() -> EvaluationPlan {
    EvaluationPlan {
        seed: 11,
        replicates: 2,
        generations: 6,
        rationality_generations: 3,
        levels: vec![0.5],
        robustness: 2,
    }
}

fn sources() -> Sources {
    Sources {
        protocol: "protocol".into(),
        world: "world".into(),
    }
}

#[test]
fn merged_shards_equal_the_single_run() {
    let protocol = accord_core::parse_protocol(PROTOCOL).unwrap();
    let world = World::parse(WORLD).unwrap();
    let plan = plan();
    let quiet = Progress {
        run_finished: &|| {},
        stage: &|_| {},
    };
    let single = evaluate(&world, &protocol, &plan, sources(), quiet).unwrap();
    let (_, planned) = configurations(&world, &plan).unwrap();
    assert_eq!(
        planned.len() as u64 * plan.replicates,
        plan.runs(&world),
        "the plan counts the runs it makes"
    );
    let job = Job::Evaluate(EvaluationJob {
        protocol: Input {
            source: "protocol".into(),
            text: PROTOCOL.into(),
        },
        world: Input {
            source: "world".into(),
            text: WORLD.into(),
        },
        plan: plan.clone(),
    });
    let count = 3;
    let files: Vec<(String, String)> = (0..count)
        .rev()
        .map(|index| {
            let shard = Shard::new(index, count).unwrap();
            let runs = shard_runs(&world, &protocol, &plan, shard, &|| {}).unwrap();
            let file = ShardFile {
                header: ShardHeader::new(job.clone(), shard, plan.runs(&world)),
                runs,
            };
            (
                format!("shard {index}"),
                serde_json::to_string(&file).unwrap(),
            )
        })
        .collect();
    let (merged_job, runs) = merge::<RunResult>(&files).unwrap();
    assert_eq!(merged_job, job);
    let merged = evaluate_recorded(&world, &protocol, &plan, sources(), runs).unwrap();
    assert_eq!(
        serde_json::to_string_pretty(&merged).unwrap(),
        serde_json::to_string_pretty(&single).unwrap()
    );
}

#[test]
fn recorded_runs_must_cover_the_plan() {
    let protocol = accord_core::parse_protocol(PROTOCOL).unwrap();
    let world = World::parse(WORLD).unwrap();
    let plan = plan();
    let error = evaluate_recorded(&world, &protocol, &plan, sources(), Vec::new()).unwrap_err();
    assert!(error.to_string().contains("were recorded"), "{error}");
}
