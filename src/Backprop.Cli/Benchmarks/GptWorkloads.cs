using System.Diagnostics;
using System.Globalization;
using Backprop.Cli.Training;

namespace Backprop.Cli.Benchmarks;

/// <summary>The sequence-model workload of ../shared/BENCHMARKS.md: W9, the character-level GPT on Tiny Shakespeare.</summary>
internal static class GptWorkloads
{
    /// <summary>
    /// W9: nanoGPT's CPU configuration, `train --model gpt`'s defaults, for 2000 steps (W9_ITERS for fewer, on
    /// the same 2000-step schedule); the median ms per step after the first 10, the validation loss (20 random
    /// batches) at the end, and the characters per second of generation with the KV cache on one thread.
    /// </summary>
    public static IEnumerable<Figure> W9(string textFile)
    {
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("W9_ITERS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 2000;
        var options = new GptOptions { Data = textFile, Seed = 1337 };
        var setup = GptTrainer.Prepare(options);
        var times = new List<double>(iterations);
        var loss = 0f;
        for (var step = 0; step < iterations; step++)
        {
            foreach (var group in setup.Optimizer.ParamGroups)
            {
                group.LearningRate = options.LearningRateAt(step);
            }

            var watch = Stopwatch.StartNew();
            loss = GptTrainer.Step(setup.Model, setup.Optimizer, setup.Train.Sample(options.BatchSize, setup.Generator), options.ClipGradNorm);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        var validation = GptTrainer.Loss(setup.Model, setup.Validation, 20, options.BatchSize, setup.Generator);
        var median = times.Skip(Math.Min(10, times.Count - 1)).Order().ElementAt((times.Count - Math.Min(10, times.Count - 1)) / 2);
        yield return new Figure("W9", [new("ms_per_step", median), new("steps", iterations), new("val_loss", validation), new("train_loss", loss)]);

        var previous = Threads.Count;
        Threads.Count = 1;
        try
        {
            const int tokens = 2000;
            var generate = Stopwatch.StartNew();
            var count = setup.Model.Generate([0], tokens, 0.8f, 40, new Generator(1)).Count();
            yield return new Figure("W9", [new("op", "generate"), new("threads", 1), new("chars_per_s", count / generate.Elapsed.TotalSeconds)]);
        }
        finally
        {
            Threads.Count = previous;
        }
    }
}
