using System.Text.RegularExpressions;
using Backprop.Cli.Explaining;
using Backprop.Explain;

namespace Backprop.Tests.Explain;

public class GraphTests
{
    [Fact]
    public void GraphOfTheSeedNetworkHasEveryTensorAndEveryEdge()
    {
        var network = new HandDerivedMlp([1, 2, 2], ExplainActivation.Relu, ExplainLoss.HalfSquared, new Generator(20));
        var x = Tensor.FromArray([0.5f], 1, 1);
        var y = Tensor.FromArray([1f, 0.2f], 1, 2);
        var (cost, parameters) = network.AutogradCost(x, y);
        cost.Backward(null, retainGraph: true);
        var graph = ComputationGraph.Build(cost, [new("X", x), new("y", y), .. parameters]);

        // Leaves X, y, Wh, Bh, Wo, Bo; ops MatMul, Add, Relu (×2 each), Sub, Pow, MulScalar, Sum.
        Assert.Equal(16, graph.Nodes.Count);
        Assert.Equal(4, graph.Nodes.Count(n => n.Kind == GraphNodeKind.Parameter));
        Assert.Equal(2, graph.Nodes.Count(n => n.Kind == GraphNodeKind.Constant));
        Assert.Equal(15, graph.Edges.Count);
        Assert.Contains(graph.Nodes, n => n.Title == "Wh" && n.Grad == "[0.3327, 0.0964]");

        var dot = graph.ToDot();
        Assert.Equal(graph.Nodes.Count, Regex.Count(dot, @"^\s+n\d+ \[label=", RegexOptions.Multiline));
        Assert.Equal(graph.Edges.Count, Regex.Count(dot, @"^\s+n\d+ -> n\d+;", RegexOptions.Multiline));
        var mermaid = graph.ToMermaid();
        Assert.StartsWith("flowchart LR", mermaid, StringComparison.Ordinal);
        Assert.Equal(graph.Edges.Count, Regex.Count(mermaid, @"^\s+n\d+ --> n\d+$", RegexOptions.Multiline));
        var svg = graph.ToSvg();
        Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
        Assert.Equal(graph.Nodes.Count, Regex.Count(svg, "<g class=\"node "));
        Assert.Equal(4, Regex.Count(svg, "<g class=\"node parameter\""));
        Assert.Equal(graph.Edges.Count, Regex.Count(svg, "<path class=\"edge\""));
        System.Xml.Linq.XDocument.Parse(svg);
    }

    [Fact]
    public void ExtensionMethodsDrawAnyTensor()
    {
        var a = Tensor.Ones(2, 2).SetRequiresGrad();
        var loss = (a * a).Sum();
        Assert.Contains("Mul", loss.ToDot(), StringComparison.Ordinal);
        Assert.Contains("Sum", loss.ToMermaid(), StringComparison.Ordinal);
        Assert.Contains("parameter", loss.ToSvg([KeyValuePair.Create("a", a)]), StringComparison.Ordinal);
    }

    [Fact]
    public void LocalGradientsAreTheDerivativesAtOneNode()
    {
        var x = Tensor.Scalar(2f).SetRequiresGrad();
        var y = Tensor.Scalar(-3f).SetRequiresGrad();
        var z = x * y;
        var local = LocalGradients.Through(z);
        Assert.Equal(-3f, local[0]!.Item());
        Assert.Equal(2f, local[1]!.Item());
        var received = LocalGradients.Through(z, Tensor.Scalar(5f));
        Assert.Equal(-15f, received[0]!.Item());
        Assert.Null(x.Grad);
        Assert.Throws<ArgumentException>(() => LocalGradients.Through(x));
    }

    [Fact]
    public void ChainRuleViewMatchesBackward()
    {
        var w = Tensor.Scalar(-1.5f).SetRequiresGrad();
        var b = Tensor.Scalar(0.8f).SetRequiresGrad();
        var x = Tensor.Scalar(0.5f);
        var loss = ((w * x) + b).Tanh().Pow(2f);
        var steps = ChainRuleView.Explain(loss, [new("w", w), new("b", b), new("x", x)]);
        Assert.Equal(4, steps.Count);
        Assert.Equal("Pow", steps[0].Op);
        Assert.Equal(1f, steps[0].Upstream.Item());
        var mul = steps.Single(s => s.Op == "Mul");
        Assert.Equal(0.5f, mul.Inputs.Single(i => i.Name == "w").LocalDerivative!.Item());
        Assert.Null(mul.Inputs.Single(i => i.Name == "x").LocalDerivative);
        Assert.Equal(w.Grad!.Item(), mul.Inputs.Single(i => i.Name == "w").Received!.Item(), 6);
        var manual = 2 * MathF.Tanh(0.05f) * (1 - (MathF.Tanh(0.05f) * MathF.Tanh(0.05f))) * 0.5f;
        Assert.Equal(manual, w.Grad.Item(), 5);
        foreach (var step in steps)
        {
            foreach (var input in step.Inputs.Where(i => i.Received is not null))
            {
                Assert.Equal(step.Upstream.Item() * input.LocalDerivative!.Item(), input.Received!.Item(), 5);
            }
        }
    }

    [Fact]
    public void GradientFlowShowsVanishingAndHealthyGradients()
    {
        static double FirstOverLast(string activation, float gain)
        {
            var g = new Generator(1);
            var model = new Backprop.NN.Sequential();
            for (var i = 0; i < 10; i++)
            {
                var linear = new Backprop.NN.Linear(i == 0 ? 20 : 32, i == 9 ? 4 : 32, generator: g);
                Backprop.NN.Init.KaimingNormal(linear.Weight, g, gain);
                model.Add(linear);
                if (i < 9)
                {
                    model.Add(activation == "relu" ? new Backprop.NN.ReLU() : new Backprop.NN.Sigmoid());
                }
            }

            var monitor = new GradientFlowMonitor(model);
            var loss = new Backprop.NN.Losses.CrossEntropyLoss().Forward(monitor.Forward(Tensor.Randn([64, 20], g)), Tensor.FromArray([.. Enumerable.Range(0, 64).Select(i => (long)(i % 4))], 64));
            loss.Backward();
            var flows = monitor.Collect();
            Assert.Equal(10, flows.Count);
            return flows[0].WeightGradNorm / flows[^1].WeightGradNorm;
        }

        Assert.True(FirstOverLast("sigmoid", 1f) < 1e-3);
        Assert.InRange(FirstOverLast("relu", MathF.Sqrt(2f)), 0.1, 10);
    }
}
