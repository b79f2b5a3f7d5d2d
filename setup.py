from setuptools import find_packages, setup


def version():
    """The one version string, ``mmnas/version.py``."""
    scope = {}
    with open('mmnas/version.py') as f:
        exec(f.read(), scope)
    return scope['__version__']


def readme():
    with open('README.md', encoding='utf-8') as f:
        return f.read()


def requirements(path='requirements.txt'):
    with open(path) as f:
        return [
            line.split('#')[0].strip() for line in f
            if line.split('#')[0].strip() and not line.startswith('-')
        ]


setup(
    name='mmnas',
    version=version(),
    description='Config-driven neural architecture search (SPOS, DSNAS, '
    'DenseNAS, PONAS) on mmengine and mmcls',
    long_description=readme(),
    long_description_content_type='text/markdown',
    packages=find_packages(
        exclude=('configs', 'tools', 'tests', 'docs', 'benchmarks')),
    python_requires='>=3.8',
    install_requires=requirements(),
    license='Apache License 2.0',
)
