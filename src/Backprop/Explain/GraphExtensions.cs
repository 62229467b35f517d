using Backprop.NN;

namespace Backprop.Explain;

/// <summary>Draw any tensor's autograd graph: <c>loss.ToDot()</c>, <c>loss.ToMermaid()</c>, <c>loss.ToSvg()</c>.</summary>
public static class GraphExtensions
{
    /// <summary>The graph behind <paramref name="tensor"/> as Graphviz DOT.</summary>
    /// <param name="tensor">The tensor (usually a loss).</param>
    /// <param name="names">Names for parameters, such as a module's NamedParameters.</param>
    /// <returns>The DOT text.</returns>
    public static string ToDot(this Tensor tensor, IEnumerable<KeyValuePair<string, Tensor>>? names = null) => ComputationGraph.Build(tensor, names).ToDot();

    /// <summary>The graph behind <paramref name="tensor"/> as a Mermaid flowchart.</summary>
    /// <param name="tensor">The tensor (usually a loss).</param>
    /// <param name="names">Names for parameters, such as a module's NamedParameters.</param>
    /// <returns>The Mermaid text.</returns>
    public static string ToMermaid(this Tensor tensor, IEnumerable<KeyValuePair<string, Tensor>>? names = null) => ComputationGraph.Build(tensor, names).ToMermaid();

    /// <summary>The graph behind <paramref name="tensor"/> as a self-contained SVG picture.</summary>
    /// <param name="tensor">The tensor (usually a loss).</param>
    /// <param name="names">Names for parameters, such as a module's NamedParameters.</param>
    /// <returns>The SVG text.</returns>
    public static string ToSvg(this Tensor tensor, IEnumerable<KeyValuePair<string, Tensor>>? names = null) => ComputationGraph.Build(tensor, names).ToSvg();

    /// <summary>The graph behind <paramref name="tensor"/> as Graphviz DOT, parameters named as <see cref="Module.NamedParameters"/> gives them.</summary>
    /// <param name="tensor">The tensor (usually a loss).</param>
    /// <param name="parameters">A module's named parameters.</param>
    /// <returns>The DOT text.</returns>
    public static string ToDot(this Tensor tensor, IEnumerable<(string Name, Parameter Parameter)> parameters) => tensor.ToDot(Pairs(parameters));

    /// <summary>The graph behind <paramref name="tensor"/> as a Mermaid flowchart, parameters named as <see cref="Module.NamedParameters"/> gives them.</summary>
    /// <param name="tensor">The tensor (usually a loss).</param>
    /// <param name="parameters">A module's named parameters.</param>
    /// <returns>The Mermaid text.</returns>
    public static string ToMermaid(this Tensor tensor, IEnumerable<(string Name, Parameter Parameter)> parameters) => tensor.ToMermaid(Pairs(parameters));

    /// <summary>The graph behind <paramref name="tensor"/> as SVG, parameters named as <see cref="Module.NamedParameters"/> gives them.</summary>
    /// <param name="tensor">The tensor (usually a loss).</param>
    /// <param name="parameters">A module's named parameters.</param>
    /// <returns>The SVG text.</returns>
    public static string ToSvg(this Tensor tensor, IEnumerable<(string Name, Parameter Parameter)> parameters) => tensor.ToSvg(Pairs(parameters));

    private static IEnumerable<KeyValuePair<string, Tensor>> Pairs(IEnumerable<(string Name, Parameter Parameter)> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return parameters.Select(p => new KeyValuePair<string, Tensor>(p.Name, p.Parameter));
    }
}
