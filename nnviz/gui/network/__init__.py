"""The central network drawing: nodes by layer, edges coloured by weight or gradient.

A pure view. It knows nothing about training or threads: a controller feeds it arrays
(``set_network`` / ``set_params`` / ``set_activations`` / ``set_deltas``) and listens to its
signals. Everything it shows comes from the arrays last set, so hover read-outs stay current
while training runs. See README "The window", "Classroom" and "Speed".

The widget (``view.NetworkView``) holds the data (``data``), the options and the caches that
depend on them, and composes one painter per visual element, each owning its own caches and
called with explicit inputs: ``layout`` (positions and hit testing), ``edges`` (which edges,
in which colour buckets), ``edge_labels`` (numbers on edges while stepping), ``nodes`` with
``atlas`` (circles, columns, maps, bias squares and their numbers), ``titles``, ``legend`` and
``tooltips``. Colours come from ``nnviz.gui.palette``.

Drawing choices:

* Edges are colour-binned: sign by hue (orange negative, blue positive, a colour-blind-safe
  pair), magnitude by width and by how far the colour is mixed from the background towards the
  full hue (saturation), clamped at a scale (the 99th percentile of |value| over all edges,
  unless fixed with ``set_value_scale``: then weights beyond it saturate and the legend counts
  them; the gradient colouring always follows its percentile). All edges of one bucket (faded
  or not, width class, sign, magnitude bin) go to one ``QPainter.drawLines`` call whose point
  buffer is filled from NumPy, never one call or item per edge. Colours are opaque (mixed with
  the background): semi-transparent lines take the raster engine's per-pixel path, about 10x
  slower here.
* Layers that draw many edges use thinner lines (a widest width per density class) so the
  strongest stay readable, and draw each bucket in interleaved chunks so neither sign
  systematically ends up on top where a dense layer covers its area several times over.
* Layers run left to right. A layer of at most ``MAX_CIRCLE_NODES`` (32) nodes is drawn as
  circles; a wider layer is drawn as a *compressed column*: a narrow bar spanning the plot height
  in which node ``i`` owns the horizontal slice ``i`` (filled by its activation), so every node
  still has a position, edges still end at their own node, and hover/click still resolve single
  nodes. Biases of compressed layers appear in the node tooltip only.
* At most ``max_edges`` edges are drawn (default 5000). The budget is shared between layers by
  water-filling (small layers keep all their edges, the rest is split evenly), and within a
  layer the strongest edges of the current colouring (weight or dE/dw) win. The legend then
  says "showing N of M edges".
* Live streams: data arriving within ``LIVE_SETTLE_MS`` of the previous painted update counts as
  live (training). Live frames draw edges without antialiasing, and a network whose measured
  edge cost would exceed ``LIVE_EDGE_BUDGET_MS`` draws fewer of its strongest edges (never fewer
  than ``MIN_LIVE_EDGES``; the legend says "thinned while updating"). When the stream pauses,
  one full render follows: all ``max_edges`` edges, antialiased if at most ``AA_EDGE_LIMIT``.
  Networks of at most ``AA_ALWAYS_LIMIT`` edges are always antialiased.
* Bias: a small square at the lower left of each circle node, coloured like an edge with the
  bias value (the bias is the weight of a constant +1 input); hover shows it, click edits it.
* Layout for any size (classrooms, projectors, docks): margins are a share of the widget size
  (capped at their scale-1 size), not fixed. When titles and legend would take more than a fifth
  of the height they become compact: one line per layer title and a smaller legend that flows
  into as few rows as the width allows (the node key, then the count, are left out first).
  Circles are limited by the vertical spacing of their layer, by a share of the distance
  between layers (so layers never overlap, however narrow) and by 38 px x scale. Text never
  shrinks below the readable size (10 px x scale): node values, side labels (x1, y) and titles
  are left out (titles are first shortened: "Hidden 1 4 neurons", "Hidden 1 4", "H1 4", "H1")
  rather than drawn smaller. The legend's height is computed from the widest words the network
  can show, so nodes do not move when the count or the edge mode changes.
* Node fill: activation ``a`` with the same diverging palette, clamped at 1 (or at the layer's
  largest |a| when that is larger, e.g. ReLU or raw inputs); the value is written inside when
  the circle is large enough for readable text (z and a together in the forward phase if
  both fit, else a alone). Node maps (``set_node_images``) are drawn inside
  their circle, with the activation colour as a ring.
* Stepper highlight (``set_highlight``): the edges the phase uses are drawn at full colour and
  the others faded; the nodes the phase computes get a dark ring and show z and a (forward) or
  delta (output_delta / backward / gradients), their inputs a dashed ring; the layer title gets
  a phase badge; a small active layer (<= 24 edges) gets its numbers written on the edges
  (dE/dw in the gradients phase or gradient mode, otherwise the weight).
* The scene (background, edges, nodes, titles, legend) is rendered into a cached image that is
  rebuilt only when data, size, mode or style change; hover and selection are painted on top,
  so moving the mouse over a large network costs a blit. Live frames, which all differ, are
  painted straight onto the widget instead. Titles and legend are cached images keyed by their
  content (the legend's scale labels, which change with every training update, are drawn into
  slots beside its cached image).
* Cost per frame is GIL time taken from the training thread (a Qt call made from Python keeps the
  GIL), so the drawing makes few calls: the edges of one colour bucket are one
  ``drawLines(const QLineF *, n)`` reading NumPy rows in place (never a QPolygonF, for which
  PySide6 re-takes the GIL every few lines while drawing); node circles of one layer are one
  ``drawPixmapFragments`` call from an atlas holding every fill colour (fills are quantised to
  64 levels per sign), and so are node maps and bias squares; positions, segments and label
  texts are kept per layout.
* Cached images are rendered at the pixel ratio of the device being painted, read from the
  painter (``QWidget.render`` into a 3x QImage paints through this widget, whose own ratio is
  the screen's): PNG exports at 2x/3x are drawn at that resolution, not upscaled, and SVG
  exports embed a 2x picture. The caches are rebuilt only when that ratio changes.
"""

from nnviz.gui.network.edges import AA_ALWAYS_LIMIT, AA_EDGE_LIMIT
from nnviz.gui.network.layout import MAX_CIRCLE_NODES
from nnviz.gui.network.nodes import HIDES_VALUE, MAX_LABELLED_NODES
from nnviz.gui.network.view import NetworkView

__all__ = ["NetworkView", "MAX_CIRCLE_NODES", "MAX_LABELLED_NODES", "HIDES_VALUE",
           "AA_ALWAYS_LIMIT", "AA_EDGE_LIMIT"]
