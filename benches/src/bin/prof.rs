use std::time::Instant;
use hutano::core::kpi::*;
use hutano::core::model::Network;
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let mut net: Network = serde_json::from_str(&std::fs::read_to_string(format!("{dir}/network.json")).unwrap()).unwrap();
    hutano::core::ingest::load_encounters_csv(&mut net, format!("{dir}/encounters.csv"), &hutano::core::export::encounter_export_mapping()).unwrap();
    let t = Instant::now(); net.validate().unwrap(); println!("validate {:?}", t.elapsed());
    let t = Instant::now(); let e = Engine::new(&net).unwrap(); println!("engine {:?}", t.elapsed());
    let q = Query::new(hutano_benches::bench_period()).group_by([Dimension::Branch]).grain(Grain::Month);
    let t = Instant::now(); e.admissions(&q).unwrap(); println!("admissions {:?}", t.elapsed());
    let t = Instant::now(); e.bed_utilisation(&q).unwrap(); println!("util {:?}", t.elapsed());
    let t = Instant::now(); e.alos(&q, AlosVariant::AllStays).unwrap(); println!("alos {:?}", t.elapsed());
    let t = Instant::now(); e.mortality(&q, MortalityRules::default()).unwrap(); println!("mort {:?}", t.elapsed());
    let t = Instant::now(); e.readmissions(&q, &ReadmissionRules::default()).unwrap(); println!("readm {:?}", t.elapsed());
}
