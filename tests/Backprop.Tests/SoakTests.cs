using Backprop.NN;
using Backprop.NN.Losses;
using Backprop.Optim;

namespace Backprop.Tests;

/// <summary>31,000 training steps of a small network keep the managed heap flat: nothing a step makes outlives it.</summary>
[Collection("Alone")]
public class SoakTests
{
    [Fact]
    public void TenThousandStepsLeakNothing()
    {
        var g = new Generator(21);
        var model = new Sequential(new Linear(8, 32, generator: g), new ReLU(), new Linear(32, 4, generator: g));
        var optimizer = new AdamW(model.Parameters(), 1e-3f);
        var loss = new CrossEntropyLoss();
        var x = Tensor.Randn([16, 8], g);
        var y = Tensor.Randint(0, 4, [16], g);
        long Heap() => GC.GetTotalMemory(forceFullCollection: true);
        void Steps(int n)
        {
            for (var i = 0; i < n; i++)
            {
                using var scope = Tensor.NewScope();
                var l = loss.Forward(model.Forward(x), y);
                optimizer.ZeroGrad();
                l.Backward();
                optimizer.Step();
            }
        }

        Steps(1_000);
        var heap = new List<long> { Heap() };
        var rss = new List<long> { Environment.WorkingSet };
        for (var window = 0; window < 6; window++)
        {
            Steps(5_000);
            heap.Add(Heap());
            rss.Add(Environment.WorkingSet);
        }

        // Filling the pools and tiered compilation add a few hundred KB once in the first thousands of steps;
        // a leak adds in every window.
        var report = $"heap {string.Join(" / ", heap.Select(h => h.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))} bytes, RSS {rss[0]:N0} at step 1,000 and {rss[2]:N0} at step 11,000";
        var growths = heap.Zip(heap.Skip(1), (a, b) => b - a).ToList();
        Assert.True(growths.Count(d => d > 64 * 1024) <= 1, "the managed heap grew in more than one window of 5,000 steps: " + report);
        Assert.True(heap[^1] - heap[0] < 1024 * 1024, "the managed heap grew by more than 1 MB: " + report);
    }
}
