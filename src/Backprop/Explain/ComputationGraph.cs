using System.Globalization;
using System.Text;
using Backprop.Autograd;
using Backprop.Kernels;

namespace Backprop.Explain;

/// <summary>
/// The autograd graph behind a tensor, as nodes and edges, rendered as Graphviz DOT, as Mermaid, or as
/// a self-contained SVG drawn by Backprop itself (no Graphviz needed).
/// </summary>
public sealed class ComputationGraph
{
    private const int SmallTensor = 4;

    private ComputationGraph(IReadOnlyList<GraphNode> nodes, IReadOnlyList<(string From, string To)> edges)
    {
        Nodes = nodes;
        Edges = edges;
    }

    /// <summary>The nodes, inputs before the ops that use them.</summary>
    public IReadOnlyList<GraphNode> Nodes { get; }

    /// <summary>The edges, from an op's input to its output.</summary>
    public IReadOnlyList<(string From, string To)> Edges { get; }

    /// <summary>Builds the graph that produced <paramref name="root"/>.</summary>
    /// <param name="root">The tensor whose graph to draw (usually the loss).</param>
    /// <param name="names">Names for parameters (for example a module's NamedParameters).</param>
    /// <returns>The graph.</returns>
    public static ComputationGraph Build(Tensor root, IEnumerable<KeyValuePair<string, Tensor>>? names = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        var nameOf = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, tensor) in names ?? [])
        {
            nameOf.TryAdd(tensor, name);
        }

        var order = GraphOrder.Topological(root, includeLeaves: true);
        var ids = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        var layers = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
        foreach (var t in order)
        {
            ids[t] = "n" + ids.Count.ToString(CultureInfo.InvariantCulture);
            layers[t] = t.GradFnInputs.Aggregate(0, (layer, input) => Math.Max(layer, layers[input] + 1));
        }

        // Draw each leaf in the column just before the first op that uses it.
        foreach (var t in order)
        {
            foreach (var input in t.GradFnInputs.Where(i => i.GradFnName is null))
            {
                layers[input] = layers[input] == 0 ? layers[t] - 1 : Math.Min(layers[input], layers[t] - 1);
            }
        }

        var nodes = new List<GraphNode>();
        var edges = new List<(string, string)>();
        foreach (var t in order)
        {
            foreach (var input in t.GradFnInputs)
            {
                edges.Add((ids[input], ids[t]));
            }

            var kind = t.GradFnName is not null ? GraphNodeKind.Operation : t.RequiresGrad ? GraphNodeKind.Parameter : GraphNodeKind.Constant;
            var title = t.GradFnName ?? (nameOf.TryGetValue(t, out var n) ? n : kind == GraphNodeKind.Parameter ? "parameter" : "input");
            nodes.Add(new GraphNode(ids[t], kind, title, Shapes.Format(t.Dims), Small(t), t.Grad is { } g ? Small(g) : null, layers[t]));
        }

        return new ComputationGraph(nodes, edges);
    }

    /// <summary>Graphviz DOT: parameters as blue boxes, constants as grey boxes, ops as ellipses; edges follow the forward pass.</summary>
    /// <returns>The DOT text.</returns>
    public string ToDot()
    {
        var sb = new StringBuilder("digraph backprop {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n");
        foreach (var n in Nodes)
        {
            var style = n.Kind switch
            {
                GraphNodeKind.Parameter => "shape=box, style=\"filled,rounded\", fillcolor=\"#cfe2ff\"",
                GraphNodeKind.Constant => "shape=box, style=filled, fillcolor=\"#eeeeee\"",
                _ => "shape=ellipse, style=filled, fillcolor=\"#fff3cd\"",
            };
            sb.Append(CultureInfo.InvariantCulture, $"  {n.Id} [label=\"{Escape(string.Join("\\n", Lines(n)))}\", {style}];\n");
        }

        foreach (var (from, to) in Edges)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  {from} -> {to};\n");
        }

        return sb.Append("}\n").ToString();
    }

    /// <summary>A Mermaid flowchart (GitHub renders it in Markdown).</summary>
    /// <returns>The Mermaid text.</returns>
    public string ToMermaid()
    {
        var sb = new StringBuilder("flowchart LR\n");
        foreach (var n in Nodes)
        {
            var label = string.Join("<br/>", Lines(n)).Replace("\"", "'", StringComparison.Ordinal);
            var (open, close) = n.Kind == GraphNodeKind.Operation ? ("([", "])") : ("[", "]");
            sb.Append(CultureInfo.InvariantCulture, $"  {n.Id}{open}\"{label}\"{close}\n");
        }

        foreach (var (from, to) in Edges)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  {from} --> {to}\n");
        }

        sb.Append("  classDef param fill:#cfe2ff,stroke:#3d6fb6;\n  classDef constant fill:#eeeeee,stroke:#888;\n  classDef op fill:#fff3cd,stroke:#b38f00;\n");
        foreach (var kind in Enum.GetValues<GraphNodeKind>())
        {
            var ids = Nodes.Where(n => n.Kind == kind).Select(n => n.Id).ToArray();
            if (ids.Length > 0)
            {
                var cls = kind switch { GraphNodeKind.Parameter => "param", GraphNodeKind.Constant => "constant", _ => "op" };
                sb.Append(CultureInfo.InvariantCulture, $"  class {string.Join(',', ids)} {cls};\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>A self-contained SVG: columns by depth (leaves at the left, the loss at the right), edges as curves with arrows.</summary>
    /// <returns>The SVG text.</returns>
    public string ToSvg() => SvgRenderer.Render(this, Lines);

    /// <summary>The text lines of a node's label: title, shape, and small values and gradients.</summary>
    internal static IEnumerable<string> Lines(GraphNode n)
    {
        yield return n.Title;
        yield return n.Shape;
        if (n.Value is not null)
        {
            yield return "value " + n.Value;
        }

        if (n.Grad is not null)
        {
            yield return "grad " + n.Grad;
        }
    }

    private static string? Small(Tensor t) => t.Numel is > 0 and <= SmallTensor
        ? "[" + string.Join(", ", t.ToArray().Select(v => v.ToString("0.####", CultureInfo.InvariantCulture))) + "]"
        : null;

    private static string Escape(string text) => text.Replace("\"", "\\\"", StringComparison.Ordinal);
}
