"""Native charts of a bot tab as DrawingML: one chart part per `ChartSpec`, and the drawing
part that places them on the tab.

A chart reads its table in the tab itself (`ChartSpec.data`: series names in the first row,
categories in the first column), so Excel and LibreOffice redraw it from the cells, and it
carries a cache of the same values, so a reader that does not calculate (a previewer,
openpyxl) still shows the right figures. The coverage chart is a line chart whose target
lines are dashed; the provinces' chart is horizontal bars, highest at the top; the kinds'
chart is columns. Text is Thai: nothing here names a font, so each program uses its own
default with a Thai fallback.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.backends.xlsx_xml import REL_NS, attr, esc
from bot.presentation import ChartSpec, Range
from bot.sheets import column_letter, quote_tab

CHART_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DRAWINGML_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
SHEET_DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
CHART_CT = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
DRAWING_CT = "application/vnd.openxmlformats-officedocument.drawing+xml"

EMU_PER_PX = 9525
# The line or bars of the figures, then the target lines (dashed), in this order.
MAIN_COLOUR = "2E75B6"
TARGET_COLOURS = ("C55A11", "C00000", "7F7F7F")
GRID_COLOUR = "D9D9D9"
# The name of each chart on the drawing says it is the bot's, and which one.
NAME_PREFIX = "softpower-bot:"

_CAT_AXIS, _VAL_AXIS = 10, 20


def chart_xml(spec: ChartSpec, tab: str) -> bytes:
    """The chart part of one chart of tab `tab`."""
    plot = _line(spec, tab) if spec.kind == "line" else _bars(spec, tab)
    horizontal = spec.kind == "bar"
    legend = ""
    if len(spec.series) > 1:
        legend = (
            f'<c:legend><c:legendPos val="b"/><c:overlay val="0"/>{_text_props(900)}</c:legend>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{CHART_NS}" xmlns:a="{DRAWINGML_NS}" xmlns:r="{REL_NS}">'
        '<c:date1904 val="0"/><c:lang val="th-TH"/><c:roundedCorners val="0"/>'
        "<c:chart>"
        f"{_title(spec.title, 1200)}"
        '<c:autoTitleDeleted val="0"/>'
        "<c:plotArea><c:layout/>"
        f"{plot}{_category_axis(spec, horizontal)}{_value_axis(spec, horizontal)}"
        "</c:plotArea>"
        f'{legend}<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/>'
        "</c:chart>"
        '<c:spPr><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill>'
        f'<a:ln w="9525"><a:solidFill><a:srgbClr val="{GRID_COLOUR}"/></a:solidFill></a:ln>'
        "</c:spPr>"
        f"{_text_props(900)}"
        "</c:chartSpace>"
    ).encode()


def drawing_xml(specs: Sequence[ChartSpec], rel_ids: Sequence[str]) -> bytes:
    """The drawing part that puts each chart at its anchor, at its size in pixels."""
    anchors = []
    for number, (spec, rid) in enumerate(zip(specs, rel_ids, strict=True), start=2):
        row, column = spec.anchor
        anchors.append(
            "<xdr:oneCellAnchor>"
            f"<xdr:from><xdr:col>{column - 1}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{row - 1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
            f'<xdr:ext cx="{spec.width_px * EMU_PER_PX}" cy="{spec.height_px * EMU_PER_PX}"/>'
            '<xdr:graphicFrame macro="">'
            f'<xdr:nvGraphicFramePr><xdr:cNvPr id="{number}" name="{NAME_PREFIX}{attr(spec.key)}"'
            f' descr="{attr(spec.title)}"/>'
            "<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"
            '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
            f'<a:graphic><a:graphicData uri="{CHART_NS}">'
            f'<c:chart xmlns:c="{CHART_NS}" xmlns:r="{REL_NS}" r:id="{rid}"/>'
            "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/>"
            "</xdr:oneCellAnchor>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<xdr:wsDr xmlns:xdr="{SHEET_DRAWING_NS}" xmlns:a="{DRAWINGML_NS}">'
        + "".join(anchors)
        + "</xdr:wsDr>"
    ).encode("utf-8")


# -- the plot ------------------------------------------------------------------------------


def _line(spec: ChartSpec, tab: str) -> str:
    series = []
    targets = iter(TARGET_COLOURS * len(spec.series))
    for i, s in enumerate(spec.series):
        colour = next(targets) if s.dashed else MAIN_COLOUR
        dash = '<a:prstDash val="dash"/>' if s.dashed else ""
        width = 22225 if s.dashed else 31750
        marker = (
            '<c:marker><c:symbol val="none"/></c:marker>'
            if s.dashed
            else '<c:marker><c:symbol val="circle"/><c:size val="6"/>'
            f"<c:spPr>{_solid(colour)}<a:ln>{_solid(colour)}</a:ln></c:spPr></c:marker>"
        )
        series.append(
            f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/>{_series_name(spec, tab, i)}'
            f'<c:spPr><a:ln w="{width}" cap="rnd">{_solid(colour)}{dash}<a:round/></a:ln>'
            f"</c:spPr>{marker}{_labels(spec) if not s.dashed else ''}"
            f'{_categories(spec, tab)}{_values(spec, tab, i)}<c:smooth val="0"/></c:ser>'
        )
    return (
        '<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>'
        + "".join(series)
        + f'<c:marker val="1"/><c:axId val="{_CAT_AXIS}"/><c:axId val="{_VAL_AXIS}"/>'
        "</c:lineChart>"
    )


def _bars(spec: ChartSpec, tab: str) -> str:
    direction = "bar" if spec.kind == "bar" else "col"
    series = []
    for i, _ in enumerate(spec.series):
        colour = MAIN_COLOUR if i == 0 else TARGET_COLOURS[(i - 1) % len(TARGET_COLOURS)]
        series.append(
            f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/>{_series_name(spec, tab, i)}'
            f'<c:spPr>{_solid(colour)}</c:spPr><c:invertIfNegative val="0"/>{_labels(spec)}'
            f"{_categories(spec, tab)}{_values(spec, tab, i)}</c:ser>"
        )
    return (
        f'<c:barChart><c:barDir val="{direction}"/><c:grouping val="clustered"/>'
        '<c:varyColors val="0"/>'
        + "".join(series)
        + f'<c:gapWidth val="60"/><c:axId val="{_CAT_AXIS}"/><c:axId val="{_VAL_AXIS}"/>'
        "</c:barChart>"
    )


def _labels(spec: ChartSpec) -> str:
    """Each bar's (or point's) value written beside it: a printed chart has no tooltip."""
    return (
        f'<c:dLbls><c:numFmt formatCode="{attr(_number_format(spec, 1))}" sourceLinked="0"/>'
        "<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>"
        f"{_text_props(800)}"
        f'<c:dLblPos val="{"t" if spec.kind == "line" else "outEnd"}"/>'
        '<c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/>'
        '<c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/>'
        "</c:dLbls>"
    )


def _category_axis(spec: ChartSpec, horizontal: bool) -> str:
    # Horizontal bars list the first category (the highest) at the bottom unless the axis
    # runs from the top; the value axis then crosses at the far end, below the bars.
    orientation = "maxMin" if horizontal else "minMax"
    return (
        f'<c:catAx><c:axId val="{_CAT_AXIS}"/><c:scaling><c:orientation val="{orientation}"/>'
        f'</c:scaling><c:delete val="0"/><c:axPos val="{"l" if horizontal else "b"}"/>'
        f"{_title(spec.x_title, 900) if spec.x_title else ''}"
        '<c:numFmt formatCode="General" sourceLinked="1"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'<c:spPr><a:ln w="9525">{_solid("BFBFBF")}</a:ln></c:spPr>{_text_props(800)}'
        f'<c:crossAx val="{_VAL_AXIS}"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:tickLblSkip val="1"/>'
        '<c:noMultiLvlLbl val="0"/></c:catAx>'
    )


def _value_axis(spec: ChartSpec, horizontal: bool) -> str:
    top = '<c:max val="100"/>' if spec.percent else ""
    crosses = "max" if horizontal else "autoZero"
    return (
        f'<c:valAx><c:axId val="{_VAL_AXIS}"/><c:scaling><c:orientation val="minMax"/>{top}'
        f'<c:min val="0"/></c:scaling><c:delete val="0"/>'
        f'<c:axPos val="{"b" if horizontal else "l"}"/>'
        f'<c:majorGridlines><c:spPr><a:ln w="9525">{_solid(GRID_COLOUR)}</a:ln></c:spPr>'
        "</c:majorGridlines>"
        f"{_title(spec.y_title, 900, rotate=not horizontal) if spec.y_title else ''}"
        f'<c:numFmt formatCode="{attr(_number_format(spec, 0))}" sourceLinked="0"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'<c:spPr><a:ln w="9525">{_solid("BFBFBF")}</a:ln></c:spPr>{_text_props(800)}'
        f'<c:crossAx val="{_CAT_AXIS}"/><c:crosses val="{crosses}"/>'
        '<c:crossBetween val="between"/></c:valAx>'
    )


def _number_format(spec: ChartSpec, decimals: int) -> str:
    if spec.percent:
        return '0.0"%"' if decimals else '0"%"'
    return "#,##0"


# -- references into the tab ----------------------------------------------------------------


def _ref(tab: str, top: int, left: int, bottom: int, right: int) -> str:
    first = f"${column_letter(left)}${top}"
    last = f"${column_letter(right)}${bottom}"
    return f"{quote_tab(tab)}!{first}" + (f":{last}" if (top, left) != (bottom, right) else "")


def _series_name(spec: ChartSpec, tab: str, i: int) -> str:
    d: Range = spec.data
    column = d.left + 1 + i
    return (
        f"<c:tx><c:strRef><c:f>{esc(_ref(tab, d.top, column, d.top, column))}</c:f>"
        '<c:strCache><c:ptCount val="1"/>'
        f'<c:pt idx="0"><c:v>{esc(spec.series[i].name)}</c:v></c:pt></c:strCache>'
        "</c:strRef></c:tx>"
    )


def _categories(spec: ChartSpec, tab: str) -> str:
    d = spec.data
    points = "".join(
        f'<c:pt idx="{i}"><c:v>{esc(c)}</c:v></c:pt>' for i, c in enumerate(spec.categories)
    )
    return (
        f"<c:cat><c:strRef><c:f>{esc(_ref(tab, d.top + 1, d.left, d.bottom, d.left))}</c:f>"
        f'<c:strCache><c:ptCount val="{len(spec.categories)}"/>{points}</c:strCache>'
        "</c:strRef></c:cat>"
    )


def _values(spec: ChartSpec, tab: str, i: int) -> str:
    d = spec.data
    column = d.left + 1 + i
    points = "".join(
        f'<c:pt idx="{n}"><c:v>{_number(v)}</c:v></c:pt>'
        for n, v in enumerate(spec.series[i].values)
    )
    return (
        f"<c:val><c:numRef><c:f>{esc(_ref(tab, d.top + 1, column, d.bottom, column))}</c:f>"
        f'<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{len(spec.categories)}"/>'
        f"{points}</c:numCache></c:numRef></c:val>"
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# -- text ----------------------------------------------------------------------------------


def _solid(colour: str) -> str:
    return f'<a:solidFill><a:srgbClr val="{colour}"/></a:solidFill>'


def _title(text: str, size: int, *, rotate: bool = False) -> str:
    body = '<a:bodyPr rot="-5400000" vert="horz"/>' if rotate else "<a:bodyPr/>"
    return (
        f"<c:title><c:tx><c:rich>{body}<a:lstStyle/><a:p><a:pPr>"
        f'<a:defRPr sz="{size}" b="1"/></a:pPr><a:r><a:rPr lang="th-TH" sz="{size}" b="1"/>'
        f"<a:t>{esc(text)}</a:t></a:r></a:p></c:rich></c:tx>"
        '<c:overlay val="0"/></c:title>'
    )


def _text_props(size: int) -> str:
    return (
        "<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr>"
        f'<a:defRPr sz="{size}"/></a:pPr><a:endParaRPr lang="th-TH"/></a:p></c:txPr>'
    )
