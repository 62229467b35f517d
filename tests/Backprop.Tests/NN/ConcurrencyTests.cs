using Backprop.NN;

namespace Backprop.Tests.NN;

/// <summary>Inference on one model from several threads at once gives each thread the result one thread gets.</summary>
[Collection("Threading")]
public class ConcurrencyTests
{
    [Fact]
    public void EvalForwardFromEightThreadsMatchesOneThread()
    {
        var g = new Generator(11);
        var model = new Sequential(new Linear(64, 256, generator: g), new ReLU(), new Linear(256, 128, generator: g), new GELU(), new Linear(128, 10, generator: g)).Eval();
        var inputs = Enumerable.Range(0, 8).Select(i => Tensor.Randn([96, 64], new Generator((ulong)(100 + i)))).ToArray();
        float[][] expected;
        using (Tensor.NoGrad())
        {
            expected = [.. inputs.Select(x => model.Forward(x).Softmax(-1).ToArray())];
        }

        var results = new float[8][][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            using var noGrad = Tensor.NoGrad();
            results[t] = new float[20][];
            for (var round = 0; round < 20; round++)
            {
                using var scope = Tensor.NewScope();
                results[t][round] = model.Forward(inputs[(t + round) % 8]).Softmax(-1).ToArray();
            }
        });

        for (var t = 0; t < 8; t++)
        {
            for (var round = 0; round < 20; round++)
            {
                Assert.Equal(expected[(t + round) % 8], results[t][round]);
            }
        }
    }

    [Fact]
    public void TrainingOnOneThreadWhileAnotherInfersOnACopyIsSafe()
    {
        var g = new Generator(12);
        var trained = new Sequential(new Linear(32, 128, generator: g), new ReLU(), new Linear(128, 4, generator: g));
        var copy = new Sequential(new Linear(32, 128), new ReLU(), new Linear(128, 4)).Eval();
        copy.LoadStateDict(trained.StateDict());
        var x = Tensor.Randn([64, 32], new Generator(13));
        var y = Tensor.Randint(0, 4, [64], new Generator(14));
        float[] expected;
        using (Tensor.NoGrad())
        {
            expected = copy.Forward(x).ToArray();
        }

        var optimizer = new Backprop.Optim.SGD(trained.Parameters(), 0.05f, momentum: 0.9f);
        Exception? failure = null;
        var training = new Thread(() =>
        {
            try
            {
                for (var step = 0; step < 300; step++)
                {
                    using var scope = Tensor.NewScope();
                    var loss = new Backprop.NN.Losses.CrossEntropyLoss().Forward(trained.Forward(x), y);
                    optimizer.ZeroGrad();
                    loss.Backward();
                    optimizer.Step();
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        training.Start();
        int inferences = 0, mismatches = 0;
        while (training.IsAlive)
        {
            using var noGrad = Tensor.NoGrad();
            using var scope = Tensor.NewScope();
            mismatches += copy.Forward(x).ToArray().AsSpan().SequenceEqual(expected) ? 0 : 1;
            inferences++;
        }

        training.Join();
        Assert.Null(failure);
        Assert.True(inferences > 0);
        Assert.Equal(0, mismatches);
        Assert.False(trained.StateDict()["0.weight"].Equal(copy.StateDict()["0.weight"]));
    }
}
