using Backprop.Cli.Models;
using Backprop.Models;
using Backprop.NN;
using Backprop.NN.Losses;
using Backprop.Optim;

namespace Backprop.Cli.Benchmarks;

/// <summary>
/// W6's allocation figure for the other two kinds of network: bytes allocated per steady-state training step
/// (in a scope, as the trainers run it) of the `cnn` preset on 64 images and of W9's GPT on 12 × 64 tokens,
/// on random batches (allocation does not depend on the values).
/// </summary>
internal static class StepAllocations
{
    private const int WarmUpSteps = 5;
    private const int MeasuredSteps = 20;

    /// <summary>One W6 figure per network.</summary>
    public static IEnumerable<Figure> Measure()
    {
        var g = new Generator(0);
        var cnn = ModelPresets.Resolve("cnn").Build(g);
        var images = Tensor.Rand([64, 784], g);
        var digits = Tensor.Randint(0, 10, [64], g);
        yield return Figure("cnn", BytesPerStep(cnn, new Adam(cnn.Parameters(), 1e-3f), () => cnn.Forward(images), digits));

        var gpt = new Gpt(new GptConfig(65), g);
        var tokens = Tensor.Randint(0, 65, [12, 64], g);
        var next = Tensor.Randint(0, 65, [12 * 64], g);
        yield return Figure("gpt", BytesPerStep(gpt, new AdamW(gpt.Parameters(), 1e-3f), () => gpt.Forward(tokens).Reshape(12 * 64, 65), next));
    }

    private static Figure Figure(string model, long bytes) => new("W6", [new("model", model), new("alloc_bytes_per_step", bytes)]);

    /// <summary>The mean bytes allocated by a training step after warm-up.</summary>
    private static long BytesPerStep(Module model, Optimizer optimizer, Func<Tensor> logits, Tensor targets)
    {
        var loss = new CrossEntropyLoss();
        void Step()
        {
            using var scope = Tensor.NewScope();
            var l = loss.Forward(logits(), targets);
            optimizer.ZeroGrad();
            l.Backward();
            optimizer.Step();
        }

        model.Train();
        for (var i = 0; i < WarmUpSteps; i++)
        {
            Step();
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < MeasuredSteps; i++)
        {
            Step();
        }

        return (GC.GetTotalAllocatedBytes(precise: true) - before) / MeasuredSteps;
    }
}
