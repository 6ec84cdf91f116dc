//! How fast the Resource Allocation System works out an indicative budget on the default adult
//! model, against a raw baseline in the same run: summing the same answers' points from a flat
//! lookup table with no breakdown, no checks and no money, the least work any RAS must do.
//! Prints calculations a second for both and their ratio. Run: `cargo bench -p tailor-domain`.

use criterion::{black_box, criterion_group, Criterion};
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;
use tailor_domain::allocation::{calculate, AllocationModel, Answers};

const MODEL: &str = include_str!("../../../config/allocation/adult.toml");
const ANSWERS: &str = include_str!("../../../docs/examples/answers.json");

fn inputs() -> (AllocationModel, Answers, HashMap<String, HashMap<String, i64>>) {
    let model = AllocationModel::parse(MODEL).expect("the default model parses");
    let answers: Answers = serde_json::from_str(ANSWERS).expect("the example answers parse");
    let mut flat = HashMap::new();
    for section in &model.sections {
        for question in &section.questions {
            let answers: HashMap<String, i64> = question
                .points
                .iter()
                .map(|(answer, points)| (answer.to_string(), *points))
                .collect();
            flat.insert(question.id.to_string(), answers);
        }
    }
    (model, answers, flat)
}

fn baseline(flat: &HashMap<String, HashMap<String, i64>>, answers: &BTreeMap<String, String>) -> i64 {
    answers
        .iter()
        .filter_map(|(question, answer)| flat.get(question.as_str()).and_then(|points| points.get(answer.as_str())))
        .sum()
}

fn criterion_benches(criterion: &mut Criterion) {
    let (model, answers, flat) = inputs();
    criterion.bench_function("allocation: calculate on the default adult model", |bencher| {
        bencher.iter(|| calculate(black_box(&model), black_box(&answers)).unwrap())
    });
    criterion.bench_function("allocation: raw baseline (sum points from a flat table)", |bencher| {
        bencher.iter(|| baseline(black_box(&flat), black_box(&answers)))
    });
}

criterion_group!(benches, criterion_benches);

/// A fixed number of runs of each, timed in the same process, for the one-line summary.
fn summary() {
    let (model, answers, flat) = inputs();
    let runs = 300_000;
    let started = Instant::now();
    for _ in 0..runs {
        black_box(calculate(black_box(&model), black_box(&answers)).unwrap());
    }
    let calculate_rate = runs as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    for _ in 0..runs {
        black_box(baseline(black_box(&flat), black_box(&answers)));
    }
    let baseline_rate = runs as f64 / started.elapsed().as_secs_f64();
    println!(
        "allocation calculate: {calculate_rate:.0} calculations/s on one core; raw baseline: {baseline_rate:.0}/s; ratio (baseline ÷ calculate): {:.2}",
        baseline_rate / calculate_rate
    );
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
