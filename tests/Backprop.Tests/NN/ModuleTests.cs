using Backprop.Autograd;
using Backprop.NN;

namespace Backprop.Tests.NN;

public class ModuleTests
{
    private static Sequential Mlp(ulong seed) =>
        new(new Linear(4, 8, generator: new Generator(seed)), new Tanh(), new Linear(8, 6, generator: new Generator(seed + 1)), new ReLU(), new Linear(6, 3, generator: new Generator(seed + 2)));

    [Fact]
    public void StateDictUsesPyTorchKeysAndShapes()
    {
        var state = Mlp(1).StateDict();
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"], state.Keys);
        Assert.Equal([8, 4], state["0.weight"].Shape);
        Assert.Equal([3], state["4.bias"].Shape);
    }

    [Fact]
    public void LoadStateDictCopiesValuesAndReportsEveryMismatch()
    {
        var source = Mlp(1);
        var target = Mlp(10);
        target.LoadStateDict(source.StateDict());
        var x = Tensor.Randn([5, 4], new Generator(3));
        Assert.Equal(source.Forward(x).ToArray(), target.Forward(x).ToArray());

        var broken = source.StateDict();
        broken.Remove("0.bias");
        broken["extra"] = Tensor.Ones(1);
        broken["2.weight"] = Tensor.Ones(8, 6);
        var before = target.StateDict()["4.weight"].ToArray();
        var ex = Assert.Throws<ArgumentException>(() => target.LoadStateDict(broken));
        Assert.Contains("missing keys: 0.bias", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unexpected keys: extra", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2.weight: the model has [6,8], the state dict [8,6]", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, target.StateDict()["4.weight"].ToArray());

        broken["2.weight"] = source.StateDict()["2.weight"];
        var result = target.LoadStateDict(broken, strict: false);
        Assert.Equal(["0.bias"], result.MissingKeys);
        Assert.Equal(["extra"], result.UnexpectedKeys);
    }

    [Fact]
    public void LinearMatchesItsDefinitionAndPassesGradCheck()
    {
        var layer = new Linear(3, 2, generator: new Generator(4));
        var x = Tensor.Randn([5, 3], new Generator(5));
        var expected = x.MatMul(layer.Weight.T) + layer.Bias!;
        Assert.True((expected - layer.Forward(x)).Abs().Max().Item() < 1e-6f);
        var bound = 1f / MathF.Sqrt(3f);
        Assert.All(layer.Weight.ToArray(), w => Assert.InRange(w, -bound, bound));

        var w = Tensor.Randn([4, 7], new Generator(6)).SetRequiresGrad();
        var b = Tensor.Randn([4], new Generator(7)).SetRequiresGrad();
        var input = Tensor.Randn([2, 3, 7], new Generator(8)).SetRequiresGrad();
        Assert.True(GradCheck.Run(v => Tensor.Linear(v[0], v[1], v[2]), [input, w, b]).Passed);
        Assert.True(GradCheck.Run(v => Tensor.Linear(v[0], v[1], null), [input, w]).Passed);
    }

    [Fact]
    public void DropoutIsOffInEvalAndScalesInTraining()
    {
        var dropout = new Dropout(0.5f, new Generator(9));
        var x = Tensor.Ones(1000);
        var y = dropout.Forward(x).ToArray();
        Assert.All(y, v => Assert.True(v == 0f || v == 2f));
        Assert.InRange(y.Count(v => v == 0f), 400, 600);
        dropout.Eval();
        Assert.Same(x, dropout.Forward(x));
    }

    [Fact]
    public void TrainAndEvalReachChildren()
    {
        var model = new Sequential(new Linear(2, 2), new Dropout(), new Sequential(new Dropout()));
        model.Eval();
        Assert.All(model.Layers, l => Assert.False(l.Training));
        Assert.False(((Sequential)model.Layers[2]).Layers[0].Training);
        model.Train();
        Assert.True(((Sequential)model.Layers[2]).Layers[0].Training);
    }

    [Fact]
    public void FlattenAndActivationModules()
    {
        Assert.Equal([2, 12], new Flatten().Forward(Tensor.Ones(2, 3, 4)).Shape);
        var x = Tensor.FromArray([-1f, 2f], 1, 2);
        Assert.Equal(x.Relu().ToArray(), new ReLU().Forward(x).ToArray());
        Assert.Equal(x.LeakyRelu(0.2f).ToArray(), new LeakyReLU(0.2f).Forward(x).ToArray());
        Assert.Equal(x.Sigmoid().ToArray(), new Sigmoid().Forward(x).ToArray());
        Assert.Equal(x.Tanh().ToArray(), new Tanh().Forward(x).ToArray());
        Assert.Equal(x.Gelu().ToArray(), new GELU().Forward(x).ToArray());
        Assert.Equal(x.Softmax(1).ToArray(), new Softmax().Forward(x).ToArray());
        Assert.Equal(x.LogSoftmax(1).ToArray(), new LogSoftmax(1).Forward(x).ToArray());
    }

    [Fact]
    public void InitFunctionsHaveTheirDistributions()
    {
        var w = Tensor.Zeros(400, 100);
        Init.KaimingNormal(w, new Generator(1));
        Assert.InRange(w.Pow(2f).Mean().Item(), 2f / 100 * 0.95f, 2f / 100 * 1.05f);
        Init.KaimingUniform(w, new Generator(2));
        Assert.True(w.Abs().Max().Item() <= MathF.Sqrt(6f / 100));
        Init.XavierUniform(w, new Generator(3));
        Assert.True(w.Abs().Max().Item() <= MathF.Sqrt(6f / 500));
        Init.XavierNormal(w, new Generator(4));
        Assert.InRange(w.Pow(2f).Mean().Item(), 2f / 500 * 0.95f, 2f / 500 * 1.05f);
        Init.Normal(w, 3f, 0.5f, new Generator(5));
        Assert.InRange(w.Mean().Item(), 2.98f, 3.02f);
        Init.Uniform(w, -1f, 1f, new Generator(6));
        Assert.InRange(w.Mean().Item(), -0.02f, 0.02f);
        var b = Tensor.Zeros(2).SetRequiresGrad();
        Init.Constant(b, 0.1f);
        Assert.Equal([0.1f, 0.1f], b.ToArray());
        Init.Zeros(b);
        Assert.Equal([0f, 0f], b.ToArray());
    }
}
