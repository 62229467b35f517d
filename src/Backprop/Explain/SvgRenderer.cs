using System.Globalization;
using System.Security;
using System.Text;

namespace Backprop.Explain;

/// <summary>Draws a <see cref="ComputationGraph"/> as SVG with a simple layered layout.</summary>
internal static class SvgRenderer
{
    private const int LineHeight = 14;
    private const int ColumnGap = 60;
    private const int RowGap = 18;
    private const int Margin = 20;

    public static string Render(ComputationGraph graph, Func<GraphNode, IEnumerable<string>> lines)
    {
        var longest = graph.Nodes.SelectMany(lines).Max(l => l.Length);
        var nodeWidth = Math.Max(110, (int)(longest * 6.4) + 16);
        var boxes = new Dictionary<string, (double X, double Y, double H)>();
        var columns = graph.Nodes.GroupBy(n => n.Layer).OrderBy(g => g.Key).ToList();
        double height = 0;
        foreach (var column in columns)
        {
            double y = Margin;
            foreach (var node in column)
            {
                var h = (lines(node).Count() * LineHeight) + 12;
                boxes[node.Id] = (Margin + (column.Key * (nodeWidth + ColumnGap)), y, h);
                y += h + RowGap;
            }

            height = Math.Max(height, y);
        }

        var width = Margin + (columns.Count * (nodeWidth + ColumnGap));
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height + Margin}\" viewBox=\"0 0 {width} {height + Margin}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">\n");
        sb.Append("  <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n");
        sb.Append(CultureInfo.InvariantCulture, $"  <rect width=\"{width}\" height=\"{height + Margin}\" fill=\"white\"/>\n");
        foreach (var (from, to) in graph.Edges)
        {
            var a = boxes[from];
            var b = boxes[to];
            double x1 = a.X + nodeWidth, y1 = a.Y + (a.H / 2), x2 = b.X, y2 = b.Y + (b.H / 2);
            var mid = (x1 + x2) / 2;
            sb.Append(CultureInfo.InvariantCulture, $"  <path class=\"edge\" d=\"M{x1:F1},{y1:F1} C{mid:F1},{y1:F1} {mid:F1},{y2:F1} {x2:F1},{y2:F1}\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>\n");
        }

        foreach (var node in graph.Nodes)
        {
            var (x, y, h) = boxes[node.Id];
            var (fill, stroke, radius) = node.Kind switch
            {
                GraphNodeKind.Parameter => ("#cfe2ff", "#3d6fb6", 4),
                GraphNodeKind.Constant => ("#eeeeee", "#888888", 0),
                _ => ("#fff3cd", "#b38f00", 14),
            };
            sb.Append(CultureInfo.InvariantCulture, $"  <g class=\"node {node.Kind.ToString().ToLowerInvariant()}\" id=\"{node.Id}\">\n");
            sb.Append(CultureInfo.InvariantCulture, $"    <rect x=\"{x}\" y=\"{y}\" width=\"{nodeWidth}\" height=\"{h}\" rx=\"{radius}\" fill=\"{fill}\" stroke=\"{stroke}\"/>\n");
            var line = 0;
            foreach (var text in lines(node))
            {
                var weight = line == 0 ? " font-weight=\"bold\"" : string.Empty;
                sb.Append(CultureInfo.InvariantCulture, $"    <text x=\"{x + (nodeWidth / 2)}\" y=\"{y + 17 + (line * LineHeight)}\" text-anchor=\"middle\"{weight}>{SecurityElement.Escape(text)}</text>\n");
                line++;
            }

            sb.Append("  </g>\n");
        }

        return sb.Append("</svg>\n").ToString();
    }
}
