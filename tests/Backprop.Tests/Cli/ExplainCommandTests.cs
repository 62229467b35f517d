using System.Text.Json;
using System.Text.RegularExpressions;
using Backprop.NN;

namespace Backprop.Tests.Cli;

public sealed class ExplainCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backprop-explain-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ExplainPrintsForwardBackwardUpdateAndCheckForEachStep()
    {
        var (code, output) = CliRunner.Run("explain");
        Assert.Equal(0, code);
        Assert.Equal(3, Regex.Count(output, "^Step \\d", RegexOptions.Multiline));
        foreach (var formula in new[] { "Zh = X·Wh + Bh", "H = relu(Zh)", "Zo = H·Wo + Bo", "ŷ = relu(Zo)", "C = ½·Σ(ŷ − y)²", "Eo = (ŷ − y) ⊙ relu′(Zo)", "Eh = (Eo·Woᵀ) ⊙ relu′(Zh)", "dWo = Hᵀ·Eo", "dWh = Xᵀ·Eh", "Wo ← Wo − lr·dWo" })
        {
            Assert.Contains(formula, output, StringComparison.Ordinal);
        }

        Assert.Contains("dWh = Xᵀ·Eh\n        = [[0.3327, 0.0964]]", output, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Count(output, @"largest \|difference\| = \S+ \(agree\)"));
    }

    [Fact]
    public void JsonGradientsAreAutogradsGradients()
    {
        var (code, output) = CliRunner.Run("explain", "--format", "json", "--steps", "1", "--layers", "2,3,2", "--activation", "tanh", "--loss", "mse", "--input", "0.3,-0.7", "--target", "0.5,0.1");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        var step = json.RootElement.GetProperty("steps")[0];
        var backward = step.GetProperty("backward").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e.GetProperty("value"));

        // The same network through autograd: weights from the same seed, He-scaled, biases 0.1.
        var g = new Generator(20);
        var wh = (Tensor.Randn([2, 3], g) * MathF.Sqrt(2f / 2)).SetRequiresGrad();
        var wo = (Tensor.Randn([3, 2], g) * MathF.Sqrt(2f / 3)).SetRequiresGrad();
        var x = Tensor.FromArray([0.3f, -0.7f], 1, 2);
        var y = Tensor.FromArray([0.5f, 0.1f], 1, 2);
        ((((x.MatMul(wh) + 0.1f).Tanh().MatMul(wo)) + 0.1f).Tanh() - y).Pow(2f).Mean().Backward();
        static float[] Flat(JsonElement e) => [.. e.EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetSingle())];
        Assert.Equal(wh.Grad!.ToArray(), Flat(backward["dWh"]), (a, b) => Math.Abs(a - b) < 1e-6f);
        Assert.Equal(wo.Grad!.ToArray(), Flat(backward["dWo"]), (a, b) => Math.Abs(a - b) < 1e-6f);
        Assert.True(step.GetProperty("max_difference_vs_autograd").GetDouble() < 1e-6);
    }

    [Fact]
    public void MarkdownAndDeepNetworks()
    {
        var (code, output) = CliRunner.Run("explain", "--format", "markdown", "--steps", "1", "--layers", "1,3,3,3,2", "--activation", "sigmoid");
        Assert.Equal(0, code);
        Assert.Contains("### Step 1", output, StringComparison.Ordinal);
        Assert.Contains("| E3 | `E3 = (E4·W4ᵀ) ⊙ σ′(Z3)`", output, StringComparison.Ordinal);
        Assert.Contains("| dW1 | `dW1 = Xᵀ·E1`", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ChainShowsLocalDerivativesAndTheLeafGradients()
    {
        var (code, output) = CliRunner.Run("explain", "chain", "--example", "mul", "--x-value", "2", "--y-value", "-3");
        Assert.Equal(0, code);
        Assert.Contains("z = Mul(x, y) = -6.0000", output, StringComparison.Ordinal);
        Assert.Contains("dL/d(z) arriving = -12.0000", output, StringComparison.Ordinal);
        Assert.Contains("∂(z)/∂(x) = -3.0000  →  dL/d(x) += -12.0000 · -3.0000 = 36.0000", output, StringComparison.Ordinal);
        Assert.Contains("dL/dx = 36.0000, dL/dy = -24.0000", output, StringComparison.Ordinal);
        Assert.Equal(0, CliRunner.Run("explain", "chain").Code);
    }

    [Fact]
    public void GraphWritesSvgDotAndMermaidWithTheGraphsCounts()
    {
        var path = Path.Combine(_dir, "seed");
        var (code, output) = CliRunner.Run("graph", "--out", path);
        Assert.Equal(0, code);
        Assert.Contains("16 nodes, 15 edges", output, StringComparison.Ordinal);
        Assert.Equal(16, Regex.Count(File.ReadAllText(path + ".svg"), "<g class=\"node "));
        Assert.Equal(15, Regex.Count(File.ReadAllText(path + ".dot"), " -> "));
        Assert.Equal(15, Regex.Count(File.ReadAllText(path + ".mmd"), " --> "));
    }

    [Fact]
    public void FlowPrintsTablesAndWritesAPlot()
    {
        var png = Path.Combine(_dir, "flow.png");
        var (code, output) = CliRunner.Run("explain", "flow", "--steps", "2", "--out", png);
        Assert.True(code == 0, output);
        Assert.Contains("sigmoid, Xavier init (vanishing)", output, StringComparison.Ordinal);
        Assert.Contains("ReLU, He init (healthy)", output, StringComparison.Ordinal);
        Assert.Contains("exploding", output, StringComparison.Ordinal);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
    }

    [Fact]
    public void FlowOfConvolutionalNetworksShowsWhatBatchNormDoes()
    {
        var png = Path.Combine(_dir, "cflow.png");
        var (code, output) = CliRunner.Run("explain", "flow", "--cnn", "--depth", "6", "--steps", "2", "--out", png);
        Assert.True(code == 0, output);
        Assert.Contains("sigmoid CNN with BatchNorm: 6 layers of width 8", output, StringComparison.Ordinal);
        Assert.True(File.Exists(png));

        // The monitor taps convolutions: without batch norm a deep sigmoid CNN's first layer gets a vanishing
        // share of the last one's weight gradient; with it, the same order of magnitude.
        double Ratio(bool batchNorm)
        {
            var g = new Generator(1);
            var model = new Sequential(new Unflatten(1, [1, 12, 12]));
            for (var i = 0; i < 5; i++)
            {
                var conv = new Conv2d(i == 0 ? 1 : 4, 4, 3, padding: 1, generator: g);
                Init.XavierNormal(conv.Weight, g);
                model.Add(conv);
                if (batchNorm)
                {
                    model.Add(new BatchNorm2d(4));
                }

                model.Add(new Sigmoid());
            }

            model.Add(new Flatten());
            model.Add(new Linear(4 * 144, 3, generator: g));
            var monitor = new Backprop.Explain.GradientFlowMonitor(model);
            new Backprop.NN.Losses.CrossEntropyLoss().Forward(monitor.Forward(Tensor.Rand([16, 144], g)), Tensor.Randint(0, 3, [16], g)).Backward();
            var flows = monitor.Collect();
            Assert.Equal(6, flows.Count);
            return flows[0].WeightGradNorm / flows[4].WeightGradNorm;
        }

        Assert.True(Ratio(batchNorm: false) < 1e-2, $"plain: {Ratio(false)}");
        Assert.True(Ratio(batchNorm: true) > 0.1, $"batch norm: {Ratio(true)}");
    }

    [Fact]
    public void BadOptionsGetOneClearLine()
    {
        var cases = new (string[] Args, string Fragment)[]
        {
            (["explain", "--activation", "swish"], "'swish' is not one of"),
            (["explain", "--format", "xml"], "'xml' is not one of"),
            (["explain", "--layers", "1,x"], "'x' is not a layer size"),
            (["explain", "--input", "1,2"], "2 values given"),
            (["explain", "--loss", "cross-entropy", "--target", "7"], "class index"),
            (["explain", "chain", "--example", "sin"], "'sin' is not one of"),
            (["explain", "flow", "--init", "zero"], "'zero' is not one of"),
            (["graph", "--layers", "0,2"], "layer size"),
        };
        foreach (var (args, fragment) in cases)
        {
            var (code, output) = CliRunner.Run(args);
            Assert.True(code != 0, string.Join(' ', args));
            Assert.Contains(fragment, output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
            Assert.Single(output.Trim().Split('\n'));
        }
    }
}
