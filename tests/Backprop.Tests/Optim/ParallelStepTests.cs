using Backprop.NN;
using Backprop.Optim;

namespace Backprop.Tests.Optim;

/// <summary>Large parameters are updated in slices by all kernel threads; the result must equal a one-thread update exactly.</summary>
[Collection("Threading")]
public class ParallelStepTests
{
    private static float[] Train(Func<Parameter[], Optimizer> make, int threads)
    {
        var saved = Threads.Count;
        Threads.Count = threads;
        try
        {
            var p = new Parameter(Tensor.Randn([300_001], new Generator(1)));
            var small = new Parameter(Tensor.Randn([7], new Generator(2)));
            var optimizer = make([p, small]);
            for (var step = 0; step < 3; step++)
            {
                optimizer.ZeroGrad();
                ((p * p).Sum() + (small * 3f).Sum()).Backward();
                optimizer.Step();
            }

            return [.. p.ToArray(), .. small.ToArray()];
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    public static TheoryData<string> Optimizers => new() { "sgd", "sgd-nesterov-wd", "adam", "adamw", "rmsprop" };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void ParallelUpdatesEqualSerialOnes(string name)
    {
        Func<Parameter[], Optimizer> make = name switch
        {
            "sgd" => p => new SGD(p, 0.01f, momentum: 0.9f),
            "sgd-nesterov-wd" => p => new SGD(p, 0.01f, momentum: 0.9f, weightDecay: 0.01f, nesterov: true),
            "adam" => p => new Adam(p, 0.01f),
            "adamw" => p => new AdamW(p, 0.01f),
            _ => p => new RMSprop(p, 0.01f, momentum: 0.5f, centered: true, weightDecay: 0.1f),
        };
        var serial = Train(make, 1);
        var parallel = Train(make, 2);
        Assert.Equal(serial, parallel);
        Assert.NotEqual(Tensor.Randn([300_001], new Generator(1)).ToArray()[0], serial[0]);
    }
}
