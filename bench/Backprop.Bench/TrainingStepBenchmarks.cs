using Backprop.NN;
using Backprop.NN.Losses;
using Backprop.Optim;
using BenchmarkDotNet.Attributes;

namespace Backprop.Bench;

/// <summary>One W2 training step (784-256-128-10, batch 128): time and bytes allocated per step.</summary>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private readonly Sequential _model;
    private readonly SGD _optimizer;
    private readonly CrossEntropyLoss _loss = new();
    private readonly Tensor _input;
    private readonly Tensor _target;

    public TrainingStepBenchmarks()
    {
        var g = new Generator(1);
        _model = new Sequential(new Linear(784, 256, generator: g), new ReLU(), new Linear(256, 128, generator: g), new ReLU(), new Linear(128, 10, generator: g));
        _optimizer = new SGD(_model.Parameters(), 0.01f, momentum: 0.9f);
        _input = Tensor.Rand([128, 784], g);
        _target = Tensor.FromArray([.. Enumerable.Range(0, 128).Select(i => (float)(i % 10))], 128);
    }

    [Benchmark]
    public float Step()
    {
        var loss = _loss.Forward(_model.Forward(_input), _target);
        _optimizer.ZeroGrad();
        loss.Backward();
        _optimizer.Step();
        return loss.Item();
    }
}
