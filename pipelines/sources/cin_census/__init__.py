"""Read DfE children-in-need census XML into the contract's raw frames (``read_cin_census``;
read.py's docstring has the rules: ids built, ICPC outcomes, several years merged).

What the reader knows of the census (the element each column is read from, the keys it builds
and what matches a record across years, the sex and yes/no codes, the extra columns) is data in
cin_census.toml, read by ``spec``. One job per module: ``parse`` (a file parsed safely, its size
limited, checked against its year's XSD), ``node`` (an element's children by tag), ``header``
(a file's collection year, reference date and council), ``episodes`` (its children and
CINdetails as rows), ``merge`` (versions of an episode from several years as one, ids built,
conference outcomes), ``read`` (all of it, into frames).
"""

from __future__ import annotations

from pipelines.sources.cin_census.parse import max_xml_bytes, parse_census, without_values
from pipelines.sources.cin_census.read import read_cin_census

__all__ = ["max_xml_bytes", "parse_census", "read_cin_census", "without_values"]
