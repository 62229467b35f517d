using System.ComponentModel;
using Backprop.Explain;
using Backprop.IO;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Backprop.Cli.Explaining;

/// <summary>`backprop graph`: the autograd graph of one training step as SVG, Graphviz DOT and Mermaid files.</summary>
internal sealed class GraphCommand(IAnsiConsole console) : Command<GraphCommand.Settings>
{
    internal sealed class Settings : ExplainCommand.NetworkSettings
    {
        [CommandOption("--out <PATH>")]
        [Description("Where to write PATH.svg, PATH.dot and PATH.mmd.")]
        [DefaultValue("graph")]
        public string Out { get; init; } = "graph";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (network, x, y) = ExplainCommand.Build(settings);
        var graph = Trace(network, x, y);
        var written = new List<string>();
        foreach (var (extension, text) in new[] { (".svg", graph.ToSvg()), (".dot", graph.ToDot()), (".mmd", graph.ToMermaid()) })
        {
            var path = settings.Out + extension;
            AtomicFile.Write(path, stream =>
            {
                using var writer = new StreamWriter(stream, leaveOpen: true);
                writer.Write(text);
            });
            written.Add(path);
        }

        console.MarkupLine($"Graph of one training step: {graph.Nodes.Count} nodes, {graph.Edges.Count} edges. Wrote {Markup.Escape(string.Join(", ", written))}.");
        return 0;
    }

    /// <summary>Runs the network's cost through autograd once, with named parameters, and backpropagates so that the picture shows gradients.</summary>
    public static ComputationGraph Trace(HandDerivedMlp network, Tensor x, Tensor y)
    {
        var (cost, parameters) = network.AutogradCost(x, y);
        cost.Backward(null, retainGraph: true);
        return ComputationGraph.Build(cost, [new("X", x), new("y", y), .. parameters]);
    }
}
