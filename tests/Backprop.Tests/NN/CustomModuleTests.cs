using Backprop.NN;
using Backprop.NN.Losses;
using Backprop.Optim;

namespace Backprop.Tests.NN;

/// <summary>Custom modules as a PyTorch user writes them: fields found without registration, buffers, containers, hooks, several inputs.</summary>
public class CustomModuleTests
{
    [Fact]
    public void FieldsAndPropertiesAreRegisteredWithSnakeCaseNames()
    {
        var block = new Residual(4, new Generator(1));
        Assert.Equal(["out_scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"], block.NamedParameters().Select(p => p.Name)); // own parameters first, as PyTorch
        Assert.Equal(4 * 4 * 2 + 4 * 2 + 1, block.ParameterCount());
        Assert.Equal(["fc1", "fc2"], block.Children.Select(c => c.Key));
        Assert.Equal("hidden_layer", Module.FieldName("_hiddenLayer"));
        Assert.Equal("hidden_layer", Module.FieldName("<HiddenLayer>k__BackingField"));
        Assert.Equal("fc1", Module.FieldName("Fc1"));
        Assert.Equal("html_parser", Module.FieldName("HTMLParser"));
    }

    [Fact]
    public void ACustomModulePrintsItsStructureLikePyTorch()
    {
        var model = new Sequential(new Residual(2, new Generator(1)), new ReLU());
        Assert.Equal(
            "Sequential(\n  (0): Residual(\n    (fc1): Linear(in_features=2, out_features=2, bias=True)\n    (fc2): Linear(in_features=2, out_features=2, bias=True)\n  )\n  (1): ReLU()\n)",
            model.ToString());
    }

    [Fact]
    public void BuffersAreInTheStateDictButNeverOptimized()
    {
        var counter = new Counting();
        Assert.Equal(["scale", "total", "steps"], counter.StateDict().Keys);
        Assert.Equal(DType.Int64, counter.StateDict()["steps"].DType);
        Assert.Equal(["scale"], counter.NamedParameters().Select(p => p.Name));
        Assert.Equal(["total", "steps", "scratch"], counter.NamedBuffers().Select(b => b.Name));
        counter.Forward(Tensor.Ones(3));
        counter.Forward(Tensor.Ones(3));
        var state = counter.StateDict();
        Assert.Equal(2L, state["steps"].Item<long>());
        var fresh = new Counting();
        fresh.LoadStateDict(state);
        Assert.Equal(2L, fresh.NamedBuffers().First(b => b.Name == "steps").Buffer.Item<long>());
        Assert.Equal(6f, fresh.NamedBuffers().First(b => b.Name == "total").Buffer.Item());
        var missing = state;
        missing.Remove("steps");
        Assert.Contains("missing keys: steps", Assert.Throws<ArgumentException>(() => new Counting().LoadStateDict(missing)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModuleListAndModuleDictNameTheirModules()
    {
        var net = new Tower(new Generator(2));
        Assert.Equal(["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "heads.policy.weight", "heads.policy.bias", "heads.value.weight", "heads.value.bias"], net.StateDict().Keys);
        Assert.Equal(2, net.Layers.Count);
        Assert.Same(net.Heads["value"], net.Heads.Values.Last());
        Assert.Throws<KeyNotFoundException>(() => net.Heads["missing"]);
        Assert.Throws<ArgumentException>(() => net.Heads.Add("value", new Linear(3, 1)));
        var (policy, value) = net.Forward(Tensor.Ones(5, 3));
        Assert.Equal([5, 2], policy.Shape);
        Assert.Equal([5, 1], value.Shape);
    }

    [Fact]
    public void NamedModulesWalkDepthFirstAndApplyReachesEveryModule()
    {
        var net = new Tower(new Generator(3));
        Assert.Equal(["", "layers", "layers.0", "layers.1", "heads", "heads.policy", "heads.value"], net.NamedModules().Select(m => m.Name));
        var linears = 0;
        net.Apply(m =>
        {
            if (m is Linear linear)
            {
                linears++;
                Init.Zeros(linear.Weight);
            }
        });
        Assert.Equal(4, linears);
        Assert.All(net.Layers, l => Assert.All(((Linear)l).Weight.ToArray(), w => Assert.Equal(0f, w)));
        Assert.False(net.Eval().Training);
        Assert.All(net.Modules(), m => Assert.False(m.Training));
        Assert.True(net.Train().Layers[0].Training);
    }

    [Fact]
    public void ASharedParameterIsListedAndOptimizedOnce()
    {
        var shared = new Linear(3, 3, generator: new Generator(4));
        var model = new Sequential(shared, new ReLU(), shared);
        Assert.Equal(2, model.Parameters().Count());
        Assert.Equal(["0.weight", "0.bias"], model.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void ForwardHooksSeeAndReplaceInputsAndOutputs()
    {
        var layer = new Linear(2, 2, generator: new Generator(5));
        var model = new Sequential(layer, new ReLU());
        var seen = new List<int[]>();
        using (layer.RegisterForwardHook((m, x, y) =>
        {
            seen.Add(y.Shape);
            return y * 0f;
        }))
        {
            Assert.All(model.Forward(Tensor.Ones(4, 2)).ToArray(), v => Assert.Equal(0f, v));
        }

        Assert.Single(seen);
        Assert.Equal([4, 2], seen[0]);
        Assert.Contains(model.Forward(Tensor.Ones(4, 2)).ToArray(), v => v != 0f);
        using var pre = layer.RegisterForwardPreHook((m, x) => x * 0f);
        var bias = layer.Bias!.ToArray().Select(b => MathF.Max(b, 0f));
        Assert.Equal(bias.Concat(bias).Concat(bias).Concat(bias), model.Forward(Tensor.Ones(4, 2)).ToArray());
    }

    [Fact]
    public void AModuleWithTwoInputsTrainsThroughCall()
    {
        var bilinear = new Scorer(3, new Generator(6));
        var optimizer = new AdamW(bilinear.Parameters(), 0.05f);
        var a = Tensor.Randn([8, 3], new Generator(7));
        var b = Tensor.Randn([8, 3], new Generator(8));
        var target = (a * b).Sum(1);
        float first = 0, last = 0;
        for (var step = 0; step < 60; step++)
        {
            var loss = new MSELoss().Forward(bilinear.Call(a, b), target);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
            first = step == 0 ? loss.Item() : first;
            last = loss.Item();
        }

        Assert.True(last < first * 0.2f, $"loss {first} -> {last}");
        var calls = 0;
        using var hook = bilinear.RegisterForwardHook((m, inputs, y) =>
        {
            calls++;
            return y;
        });
        bilinear.Call(a, b);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void NamesWithDotsAndLearnedBuffersAreRefused()
    {
        Assert.Contains("dot", Assert.Throws<ArgumentException>(() => new BadName()).Message, StringComparison.Ordinal);
        Assert.Contains("requires grad", Assert.Throws<ArgumentException>(() => new BadBuffer()).Message, StringComparison.Ordinal);
    }

    /// <summary>The residual block of the issue: two Linear fields and a scalar parameter, no registration.</summary>
    private sealed class Residual(int width, Generator g) : Module<Tensor, Tensor>
    {
        private readonly Linear _fc1 = new(width, width, generator: g);
        private readonly Linear _fc2 = new(width, width, generator: g);

        public Parameter OutScale { get; } = new(Tensor.Ones(1));

        public override Tensor Forward(Tensor x) => x + (_fc2.Forward(_fc1.Forward(x).Relu()) * OutScale);
    }

    private sealed class Counting : Module<Tensor, Tensor>
    {
        private readonly Parameter _scale = new(Tensor.Ones(1));

        public Counting()
        {
            RegisterBuffer("total", Tensor.Zeros(1));
            RegisterBuffer("steps", Tensor.Zeros([], DType.Int64));
            RegisterBuffer("scratch", Tensor.Zeros(1), persistent: false);
        }

        public override Tensor Forward(Tensor x)
        {
            using (Tensor.NoGrad())
            {
                var total = NamedBuffers().First(b => b.Name == "total").Buffer;
                total.AddInPlace(x.Sum().Reshape(1));
                var steps = NamedBuffers().First(b => b.Name == "steps").Buffer;
                steps.Fill(steps.Item<long>() + 1);
            }

            return x * _scale;
        }
    }

    private sealed class Tower : Module<Tensor, (Tensor Policy, Tensor Value)>
    {
        public Tower(Generator g)
        {
            Layers = new ModuleList<Module<Tensor, Tensor>>(new Linear(3, 4, generator: g), new Linear(4, 3, generator: g));
            Heads = new ModuleDict<Linear>().Add("policy", new Linear(3, 2, generator: g)).Add("value", new Linear(3, 1, generator: g));
        }

        public ModuleList<Module<Tensor, Tensor>> Layers { get; }

        public ModuleDict<Linear> Heads { get; }

        public override (Tensor Policy, Tensor Value) Forward(Tensor input)
        {
            var x = input;
            foreach (var layer in Layers)
            {
                x = layer.Call(x).Relu();
            }

            return (Heads["policy"].Call(x), Heads["value"].Call(x));
        }
    }

    private sealed class Scorer(int n, Generator g) : Module<Tensor, Tensor, Tensor>
    {
        private readonly Parameter _w = new(Tensor.Randn([n, n], g) * 0.1f);

        public override Tensor Forward(Tensor a, Tensor b) => (a.MatMul(_w) * b).Sum(1);
    }

    private sealed class BadName : Module
    {
        public BadName() => RegisterModule("a.b", new ReLU());
    }

    private sealed class BadBuffer : Module
    {
        public BadBuffer() => RegisterBuffer("w", Tensor.Ones(1).SetRequiresGrad());
    }
}
