using System.Diagnostics;
using Backprop.Data;
using Backprop.NN;
using Backprop.NN.Losses;
using Backprop.Optim;

namespace Backprop.Cli.Benchmarks;

/// <summary>
/// The standard workloads W0–W8 (defined in docs/performance.md; W7 and W8 in <see cref="ConvWorkloads"/>), written as the peers write them, through
/// Backprop's public API. Each reports one or more figures.
/// </summary>
internal static class Workloads
{
    public static readonly string[] Names = ["w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9", "w10"];

    public static IEnumerable<Figure> Run(string name, string mnistDirectory) => name switch
    {
        "w0" => [W0()],
        "w1" => [W1()],
        "w2" => [W2(mnistDirectory).Figure],
        "w3" => [W3(mnistDirectory)],
        "w4" => W4(),
        "w5" => W5(),
        "w6" => [W6(mnistDirectory), .. StepAllocations.Measure()],
        "w7" => [ConvWorkloads.W7(mnistDirectory)],
        "w8" => ConvWorkloads.W8(),
        "w9" => GptWorkloads.W9(Training.TrainingData.Bundled("tinyshakespeare", "input.txt")),
        "w10" => DistributedWorkloads.W10(mnistDirectory),
        _ => throw new ArgumentException($"bench: '{name}' is not a workload; choose from {string.Join(", ", Names)}."),
    };

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>W0: one a + b on 2-element tensors.</summary>
    private static Figure W0()
    {
        var a = Tensor.Ones(2);
        var b = Tensor.Ones(2);
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < 20_000 || warm.Elapsed.TotalSeconds < 0.5; i++)
        {
            _ = a + b;
        }

        var trials = new List<double>();
        for (var t = 0; t < 5; t++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < 100_000; i++)
            {
                _ = a + b;
            }

            trials.Add(watch.Elapsed.TotalMicroseconds / 100_000);
        }

        return new Figure("W0", [new("us_per_op", Median(trials))]);
    }

    /// <summary>W1: the seed network, one sample per step, forward + backward + SGD through modules, loss and optimizer.</summary>
    private static Figure W1()
    {
        var l1 = new Linear(1, 2);
        var l2 = new Linear(2, 2);
        var model = new Sequential(l1, new ReLU(), l2, new ReLU());
        void Reset()
        {
            using (Tensor.NoGrad())
            {
                l1.Weight.CopyFrom(Tensor.FromArray([0.5f, 0.8f], 2, 1));
                l1.Bias!.CopyFrom(Tensor.FromArray([0.1f, 0.2f]));
                l2.Weight.CopyFrom(Tensor.FromArray([0.3f, 0.7f, 0.9f, -0.2f], 2, 2));
                l2.Bias!.CopyFrom(Tensor.FromArray([0.05f, 0.1f]));
            }
        }

        float[] xs = [0.2f, 0.4f, 0.6f, 0.8f];
        var inputs = xs.Select(x => Tensor.FromArray([x], 1, 1)).ToArray();
        var targets = xs.Select(x => Tensor.FromArray([(0.5f * x) + 0.2f, 1f - x], 1, 2)).ToArray();
        var loss = new HalfSquaredError();
        var optimizer = new SGD(model.Parameters(), 0.01f);
        float Step(int i)
        {
            var l = loss.Forward(model.Forward(inputs[i % 4]), targets[i % 4]);
            optimizer.ZeroGrad();
            l.Backward();
            optimizer.Step();
            return l.Item();
        }

        // Warm up for a second, so that the tiered JIT has compiled the hot paths fully.
        Reset();
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < 500 || warm.Elapsed.TotalSeconds < 1; i++)
        {
            Step(i);
        }

        Reset();
        const int Steps = 20_000;
        var watch = Stopwatch.StartNew();
        var last = 0f;
        for (var i = 0; i < Steps; i++)
        {
            last = Step(i);
        }

        return new Figure("W1", [new("us_per_step", watch.Elapsed.TotalMicroseconds / Steps), new("final_loss", last)]);
    }

    internal static Sequential Mlp(int[] sizes, Generator g)
    {
        var model = new Sequential();
        for (var i = 0; i < sizes.Length - 1; i++)
        {
            model.Add(new Linear(sizes[i], sizes[i + 1], generator: g));
            if (i < sizes.Length - 2)
            {
                model.Add(new ReLU());
            }
        }

        return model;
    }

    /// <summary>One training step on a batch, in a scope that recycles the step's storage (the batch's too).</summary>
    internal static void TrainStep(Module<Tensor, Tensor> model, Batch batch, CrossEntropyLoss loss, Optimizer optimizer)
    {
        using var scope = Tensor.NewScope();
        scope.Attach(batch.Input);
        scope.Attach(batch.Target);
        var l = loss.Forward(model.Forward(batch.Input), batch.Target);
        optimizer.ZeroGrad();
        l.Backward();
        optimizer.Step();
    }

    /// <summary>W2: MNIST 784-256-128-10, SGD momentum 0.9, lr 0.05, batch 128; epochs 2 and 3 timed.</summary>
    internal static (Figure Figure, long AllocatedPerStep, double FirstStepSeconds, double GcPauseFraction) W2(string mnistDirectory)
    {
        var (train, test) = Mnist.LoadTrainAndTest(mnistDirectory);
        var firstStep = -1.0;
        var g = new Generator(0);
        var model = Mlp([784, 256, 128, 10], g);
        var optimizer = new SGD(model.Parameters(), 0.05f, momentum: 0.9f);
        var loss = new CrossEntropyLoss();
        var loader = new DataLoader(train, 128, shuffle: true, generator: g);
        var times = new List<double>();
        long allocated = 0, steps = 0;
        var pause = TimeSpan.Zero;
        for (var epoch = 0; epoch < 3; epoch++)
        {
            var watch = Stopwatch.StartNew();
            var before = GC.GetTotalAllocatedBytes(precise: false);
            var pauseBefore = GC.GetTotalPauseDuration();
            foreach (var batch in loader)
            {
                TrainStep(model, batch, loss, optimizer);
                if (firstStep < 0)
                {
                    firstStep = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds;
                }

                if (epoch == 2)
                {
                    steps++;
                }
            }

            times.Add(watch.Elapsed.TotalSeconds);
            if (epoch == 2)
            {
                allocated = GC.GetTotalAllocatedBytes(precise: false) - before;
                pause = GC.GetTotalPauseDuration() - pauseBefore;
            }
        }

        double accuracy;
        using (Tensor.NoGrad())
        {
            var predictions = model.Eval().Forward(test.Inputs).Argmax(1).ToArray<long>();
            var labels = test.Targets.ToArray<long>();
            accuracy = predictions.Where((p, i) => p == labels[i]).Count() / (double)test.Count;
        }

        var figure = new Figure("W2", [new("s_per_epoch", (times[1] + times[2]) / 2), new("test_acc", accuracy)]);
        return (figure, allocated / Math.Max(1, steps), firstStep, pause.TotalSeconds / times[2]);
    }

    /// <summary>W3: 784-2048-2048-10, batch 1024, 20 steps after 3 warm-up steps.</summary>
    private static Figure W3(string mnistDirectory)
    {
        var data = Mnist.Load(mnistDirectory, train: true).Take(1024);
        var model = Mlp([784, 2048, 2048, 10], new Generator(0));
        var optimizer = new SGD(model.Parameters(), 0.05f, momentum: 0.9f);
        var loss = new CrossEntropyLoss();
        void Step()
        {
            using var scope = Tensor.NewScope();
            var l = loss.Forward(model.Forward(data.Inputs), data.Targets);
            optimizer.ZeroGrad();
            l.Backward();
            optimizer.Step();
        }

        for (var i = 0; i < 3; i++)
        {
            Step();
        }

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            Step();
        }

        var seconds = watch.Elapsed.TotalSeconds / 20;
        const long Weights = (784L * 2048) + 2048 + (2048L * 2048) + 2048 + (2048L * 10) + 10;
        return new Figure("W3", [new("ms_per_step", seconds * 1e3), new("gflops", 6.0 * Weights * 1024 / seconds / 1e9)]);
    }

    /// <summary>W4: SGEMM, square sizes with all threads, n = 2048 with one, and the training shapes in three layouts.</summary>
    private static IEnumerable<Figure> W4()
    {
        var threads = Threads.Count;
        foreach (var n in new[] { 512, 1024, 2048, 4096 })
        {
            yield return Gemm("W4", n, n, n, false, false, threads, [new("n", n)]);
        }

        yield return Gemm("W4", 2048, 2048, 2048, false, false, 1, [new("n", 2048)]);
        foreach (var (m, k, n) in new[] { (128, 784, 256), (1024, 2048, 2048) })
        {
            foreach (var (ta, tb, layout) in new[] { (false, false, "A*B"), (true, false, "At*B"), (false, true, "A*Bt") })
            {
                yield return Gemm("W4", m, n, k, ta, tb, threads, [new("m", m), new("k", k), new("n", n), new("layout", layout)]);
            }
        }
    }

    private static Figure Gemm(string workload, int m, int n, int k, bool transA, bool transB, int threads, List<Field> shape)
    {
        var saved = Threads.Count;
        Threads.Count = threads;
        try
        {
            var g = new Generator(0);
            var a = Tensor.Rand([m * k], g).ToArray();
            var b = Tensor.Rand([k * n], g).ToArray();
            var c = new float[m * n];
            var flops = 2.0 * m * n * k;
            var reps = Math.Max(2, (int)(2e10 / flops));
            for (var i = 0; i < Math.Max(1, reps / 4); i++)
            {
                Kernels.Gemm.Multiply(a, transA, b, transB, c, m, n, k, false);
            }

            var trials = new List<double>();
            for (var t = 0; t < 3; t++)
            {
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < reps; i++)
                {
                    Kernels.Gemm.Multiply(a, transA, b, transB, c, m, n, k, false);
                }

                trials.Add(flops * reps / watch.Elapsed.TotalSeconds / 1e9);
            }

            return new Figure(workload, [.. shape, new("threads", threads), new("gflops", Median(trials))]);
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    /// <summary>W5: ReLU and exp over 16M floats, into a new tensor and in place; GB/s of bytes read + written.</summary>
    private static IEnumerable<Figure> W5()
    {
        const int N = 16 * 1024 * 1024;
        var x = Tensor.Uniform([N], -1f, 1f, new Generator(0));
        var inPlace = x.Clone();
        var output = new float[N];
        const double Bytes = 2.0 * 4 * N;
        Figure Measure(string op, Action action)
        {
            for (var i = 0; i < 3; i++)
            {
                action();
            }

            var trials = new List<double>();
            for (var t = 0; t < 3; t++)
            {
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < 20; i++)
                {
                    action();
                }

                trials.Add(Bytes / (watch.Elapsed.TotalSeconds / 20) / 1e9);
            }

            return new Figure("W5", [new("op", op), new("gbps", Median(trials))]);
        }

        yield return Measure("relu_alloc", () => x.Relu());
        yield return Measure("exp_alloc", () => x.Exp());
        yield return Measure("relu_inplace", () => inPlace.ReluInPlace());
        yield return Measure("exp_out", () => System.Numerics.Tensors.TensorPrimitives.Exp(x.Span, output));
    }

    /// <summary>
    /// W6: peak memory of W2, time from process start to the first training step, bytes allocated per
    /// steady-state step and the share of epoch 3 spent in GC pauses. Run it alone (`bench w6`) so that
    /// start-up and peak memory are W2's own; <see cref="StepAllocations"/> follows with a CNN's and a GPT's step.
    /// </summary>
    private static Figure W6(string mnistDirectory)
    {
        var (_, allocated, firstStep, pause) = W2(mnistDirectory);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return new Figure("W6", [new("peak_rss_mib", process.PeakWorkingSet64 / (1024.0 * 1024)), new("startup_s", firstStep), new("alloc_bytes_per_step", allocated), new("gc_pause_pct", 100 * pause)]);
    }
}
