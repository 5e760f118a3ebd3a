//! The preview's quick path: after an edit inside one county's folder, that county's own
//! files (its page and estimator, its rules, its documents' pages, its search piece) are
//! rendered again and moved into the site already built, in well under a second even at
//! national size. What gathers many counties (home, region pages, the comparison, the
//! province files, the feed, the sitemap, the link check) waits for the whole build that
//! `portal serve` starts next.

use crate::build::{BuildError, EstimatorAssets, Run, Site};
use crate::output::Staging;
use crate::theme::Theme;
use crate::urls;
use policy::load::Parts;
use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

/// What [`update_county`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// The county's files were replaced in the site.
    Written {
        /// The county's code.
        county: String,
        /// Its name, as its `county.yaml` gives it.
        name: String,
        /// How many files were replaced or added (compressed copies not counted).
        files: usize,
        /// How long it took, from reading the project to the last file moved.
        seconds: f64,
    },
    /// Only a whole build can show this change: the folder is not a county's (a region's,
    /// or none), or its documents refer to other counties' (a report and what is derived
    /// from it), which are loaded and checked together.
    Whole,
}

/// Render the county whose folder is `folder` (relative to `root`, as
/// `policies/140431-qinyuan`) again and move its files into the site at `out`, built before
/// from the same project. `Err` carries the county's problems (only those: the whole
/// build reports every problem of the project), a broken link of its pages, or why a page
/// could not be rendered; the site is then left as it was (a file that cannot be moved
/// stops the update where it is).
///
/// Its documents must be those the site's page of the county lists already: a new
/// document, or one whose id another county's folder holds too, is for the whole build to
/// check and show ([`Update::Whole`]).
pub fn update_county(
    root: &Path,
    out: &Path,
    theme: &Theme,
    estimator: EstimatorAssets<'_>,
    folder: &str,
) -> Result<Update, BuildError> {
    let started = Instant::now();
    // The county and the regions above it only: a national project's other folders are
    // not even listed.
    let Some((parts, index)) = Parts::open_county(root, folder).map_err(BuildError::Check)? else {
        return Ok(Update::Whole);
    };
    let site = Site::prepare(root, theme, estimator)?;
    let part = match parts.county(index) {
        Some(part) => part,
        None if parts.failed() => return Err(BuildError::Check(parts.problems_so_far())),
        None => return Ok(Update::Whole),
    };
    let county = parts.codes().get(index).cloned().unwrap_or_default();
    // The county's page as the site has it names each of its documents' pages.
    let listed = std::fs::read_to_string(out.join(urls::file_of(&urls::county(&county))))
        .unwrap_or_default();
    let known = part
        .project
        .documents
        .iter()
        .filter(|d| d.source.county == county)
        .all(|d| listed.contains(&format!("\"{}\"", urls::policy(&d.source.id))));
    if !known {
        return Ok(Update::Whole);
    }
    let name = part
        .project
        .counties
        .first()
        .map(|c| c.source.name.clone())
        .unwrap_or_default();
    let staging = Staging::for_update(out)?;
    let run = Run::new(&site, &staging, &parts)?;
    // The run begins every province's open-data file; those are the whole build's to write.
    let begun: HashSet<String> = staging.paths().into_iter().collect();
    // The site's content-hashed assets as this theme names them: after an edit to the theme,
    // the whole build that brings them may not have swapped in yet.
    for (path, bytes) in &site.assets {
        // The county picker's script serves only the comparison, which waits.
        if *path != site.pick_script_path && !out.join(path).is_file() {
            staging.write(path, bytes)?;
        }
    }
    run.part(&part);
    if let Some(error) = run.first_failure() {
        return Err(error);
    }
    let written: Vec<String> = staging
        .paths()
        .into_iter()
        .filter(|path| !begun.contains(path))
        .collect();
    let broken = run
        .links
        .check_some(|path| staging.contains(path) || out.join(path).is_file());
    if !broken.is_empty() {
        return Err(BuildError::Links(broken));
    }
    drop(run);
    let files = staging.update_out(&written)?;
    Ok(Update::Written {
        county,
        name,
        files,
        seconds: started.elapsed().as_secs_f64(),
    })
}
