using System.Diagnostics;
using System.Globalization;
using Backprop.Cli.Models;
using Backprop.Data;
using Backprop.NN;
using Backprop.NN.Losses;
using Backprop.Optim;

namespace Backprop.Cli.Benchmarks;

/// <summary>The convolution workloads W7 (the MNIST CNN, one epoch) and W8 (one 3×3 convolution), written as the peers write them.</summary>
internal static class ConvWorkloads
{
    /// <summary>W7: PyTorch's MNIST example CNN, Adam lr 1e-3, batch 64, one epoch (W7_SAMPLES limits it), then test accuracy.</summary>
    public static Figure W7(string mnistDirectory)
    {
        var limit = int.TryParse(Environment.GetEnvironmentVariable("W7_SAMPLES"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? Math.Min(n, 60_000) : 60_000;
        var (train, test) = Mnist.LoadTrainAndTest(mnistDirectory);
        var images = train.Take(limit);
        var g = new Generator(0);
        var model = ModelPresets.Resolve("cnn").Build(g);
        var optimizer = new Adam(model.Parameters(), 1e-3f);
        var loss = new CrossEntropyLoss();
        var loader = new DataLoader(images, 64, shuffle: true, generator: g);
        var watch = Stopwatch.StartNew();
        foreach (var batch in loader)
        {
            Workloads.TrainStep(model, batch, loss, optimizer);
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var correct = 0;
        var labels = test.Targets.ToArray<long>();
        model.Eval();
        using (Tensor.NoGrad())
        {
            // Batches of 250: a scope keeps a batch's activations until it ends, about 0.6 MB per image here.
            for (var i = 0; i < test.Count; i += 250)
            {
                using var scope = Tensor.NewScope();
                var predictions = model.Forward(test.Inputs[i..(i + 250)]).Argmax(1).ToArray<long>();
                correct += predictions.Where((p, j) => p == labels[i + j]).Count();
            }
        }

        return new Figure("W7", [new("s_per_epoch", seconds * 60_000 / limit), new("samples", limit), new("test_acc", correct / (double)test.Count)]);
    }

    /// <summary>W8: Conv2d(64, 64, 3, padding=1) on [16, 64, 56, 56], forward alone and forward + both backward passes.</summary>
    public static IEnumerable<Figure> W8()
    {
        var g = new Generator(0);
        var conv = new Conv2d(64, 64, 3, padding: 1, generator: g);
        var x = Tensor.Randn([16, 64, 56, 56], g).SetRequiresGrad();
        const double Flop = 2.0 * 16 * 64 * 64 * 9 * 56 * 56;
        void Forward()
        {
            using var scope = Tensor.NewScope();
            using (Tensor.NoGrad())
            {
                conv.Forward(x);
            }
        }

        void ForwardBackward()
        {
            using var scope = Tensor.NewScope();
            var y = conv.Forward(x);
            y.Backward(scope.Attach(Tensor.OnesLike(y)));
        }

        foreach (var (name, step, passes) in new (string, Action, int)[] { ("forward", Forward, 1), ("forward_backward", ForwardBackward, 3) })
        {
            step();
            step();
            var trials = new List<double>();
            for (var t = 0; t < 3; t++)
            {
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < 5; i++)
                {
                    step();
                }

                trials.Add(passes * Flop / (watch.Elapsed.TotalSeconds / 5) / 1e9);
            }

            var gflops = trials.Order().ElementAt(1);
            yield return new Figure("W8", [new("op", name), new("gflops", gflops), new("ms", passes * Flop / gflops / 1e6)]);
        }
    }
}
